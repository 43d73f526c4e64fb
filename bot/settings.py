"""Settings read from environment variables, with safe embedded defaults.

Every other module asks this one; nothing else reads ``os.environ`` for settings.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from bot.channels import CHANNEL_VARIABLES
from bot.clinic import DEFAULT_EMERGENCY_NUMBER, DEFAULT_NAME, Clinic

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _text(env_name: str) -> Optional[str]:
    value = os.environ.get(env_name, "").strip()
    return value or None


def _path(env_name: str, default: Path) -> Path:
    value = os.environ.get(env_name, "").strip()
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    """Paths and URLs the assistant needs."""

    database_url: str
    guide_dir: Path
    vocabulary_path: Path
    spacy_model_dir: Path
    var_dir: Path


def load_settings() -> Settings:
    """Read the settings from the environment (``MESO_*`` variables)."""
    var_dir = _path("MESO_VAR_DIR", PROJECT_ROOT / "var")
    default_db = f"sqlite:///{var_dir / 'knowledge.db'}"
    return Settings(
        database_url=os.environ.get("MESO_DATABASE_URL", "").strip() or default_db,
        guide_dir=_path("MESO_GUIDE_DIR", PROJECT_ROOT / "data" / "guide"),
        vocabulary_path=_path("MESO_VOCABULARY", PROJECT_ROOT / "data" / "vocabulary.yml"),
        spacy_model_dir=_path("MESO_SPACY_MODEL", PROJECT_ROOT / "build" / "spacy" / "mesotherapy_en"),
        var_dir=var_dir,
    )


def load_clinic() -> Clinic:
    """Read the clinic's contact details from the environment (``CLINIC_*`` variables)."""
    return Clinic(
        name=_text("CLINIC_NAME") or DEFAULT_NAME,
        phone=_text("CLINIC_PHONE"),
        booking_url=_text("CLINIC_BOOKING_URL"),
        opening_hours=_text("CLINIC_OPENING_HOURS"),
        emergency_number=_text("CLINIC_EMERGENCY_NUMBER") or DEFAULT_EMERGENCY_NUMBER,
        webhook_url=_text("CLINIC_WEBHOOK_URL"),
    )


def channel_environment() -> Dict[str, str]:
    """The messaging channels' variables that are set (see :mod:`bot.channels`)."""
    return {name: os.environ[name] for name in CHANNEL_VARIABLES if name in os.environ}
