"""The one settings object: what it reads, what the README says, what config.yml uses."""
import re

import yaml

from bot.settings import PROJECT_ROOT, load_settings, setting_variables, shell_assignments


def test_the_readme_settings_table_lists_exactly_the_settings_that_exist() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## Settings (environment variables)"):readme.index("### Production")]
    listed = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", section, flags=re.M))
    assert listed == set(setting_variables())


def test_config_yml_uses_the_spacy_pipeline_the_settings_build() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    [spacy] = [step for step in config["pipeline"] if step["name"] == "SpacyNLP"]
    assert PROJECT_ROOT / spacy["model"] == load_settings({}).spacy_model_dir


def test_values_come_from_the_environment_with_defaults_and_types() -> None:
    defaults = load_settings({})
    assert (defaults.rasa_port, defaults.action_port, defaults.instance_suffix) == (5005, 5055, "")
    other = load_settings({"RASA_PORT": "5105", "MODEL": "elsewhere/m.tar.gz", "MESO_INTENT_F1_FLOOR": "0.9"})
    assert other.rasa_port == 5105 and other.intent_f1_floor == 0.9
    assert other.model_path == PROJECT_ROOT / "elsewhere" / "m.tar.gz"
    assert other.api_token_file.name == "rasa-api-token.port-5105"  # a second instance keeps its own token


def test_shell_lines_quote_values_safely() -> None:
    lines = shell_assignments(load_settings({"WIDGET_ALLOWED_ORIGINS": "https://a.example,https://it's.example"}))
    assert "WIDGET_ALLOWED_ORIGINS='https://a.example,https://it'\"'\"'s.example'" in lines


def test_the_api_token_is_the_environments_else_the_token_files(tmp_path) -> None:
    token_file = tmp_path / "token"
    assert load_settings({"RASA_AUTH_TOKEN_FILE": str(token_file)}).current_api_token() is None
    token_file.write_text("-from-the-file\n")
    assert load_settings({"RASA_AUTH_TOKEN_FILE": str(token_file)}).current_api_token() == "-from-the-file"
    both = {"RASA_AUTH_TOKEN_FILE": str(token_file), "RASA_AUTH_TOKEN": "from-the-environment"}
    assert load_settings(both).current_api_token() == "from-the-environment"
