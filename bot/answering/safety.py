"""The safety policy, enforced in one place for every reply the assistant sends.

- A message that reports red-flag symptoms gets the urgent-care message first.
- A reply to a safety question ends with the recommendation to see a licensed professional.
"""

from __future__ import annotations

import re
from typing import List, Optional

from bot.clinic.profile import Clinic
from bot.topics import intent_table

# The intents flagged `safety` in the intent table (data/topics.yml), and its red-flag intent.
SAFETY_INTENTS = intent_table().safety_intents
RED_FLAG_INTENTS = frozenset([intent_table().red_flag])

_SAFETY_WORDS = re.compile(
    r"\b(safe\w*|unsafe|risk\w*|danger\w*|harm\w*|side[\s-]?effects?|complications?|"
    r"contraindicat\w*|allerg\w*|pregnan\w*|breast[\s-]?feed\w*|nursing|infect\w*|"
    r"bruis\w*|swell\w*|swollen|reactions?|medications?|blood thinners?|diabet\w*|"
    r"who (?:can|should|may) (?:do|perform|give)|qualified|licen[sc]ed|for me|"
    # candidacy is a safety question too ("who is a good candidate?", "should you get it?")
    r"candidates?|eligib\w*|suitable|right for (?:me|you)|should (?:i|you|we) (?:get|have|try|do)|"
    # "Can everyone have a Restylane treatment?", "Is Qwo approved / available in the U.S.?" (regulation)
    r"can (?:everyone|anyone|everybody|anybody) (?:have|get|do)|approv\w*|fda|regulat\w*|"
    r"who (?:should|shouldn'?t|should not|can'?t|cannot|must not)|\w*bacteri\w*|sterile|"
    r"adverse|toxic\w*|fatal|deaths?|die|dies|died|deadly|(?:go|goes|gone|went) wrong|"
    # a dose is for the professional who treats the visitor to decide
    r"dose|doses|dosage\w*|milligrams?|mg)\b",
    re.IGNORECASE,
)

_RECOMMENDATION = (
    "For personal medical advice, please consult a licensed professional: "
    "a board-certified dermatologist or plastic surgeon who has experience performing mesotherapy."
)


def professional_recommendation(clinic: Clinic) -> str:
    """The recommendation to see a licensed professional, with how to reach the clinic."""
    reach = clinic.how_to_reach()
    return f"{_RECOMMENDATION} {reach}" if reach else _RECOMMENDATION


def urgent_care_message(clinic: Clinic) -> str:
    """The urgent-care message, naming the emergency number to call."""
    return (
        "⚠️ The symptoms you describe can be serious after an injection treatment. "
        f"Please get urgent medical care now: call {clinic.emergency_number} or go to the nearest "
        "emergency department. Do not wait for a chat answer."
    )


# "should I go to hospital?", "do I need to see a doctor", "is this an emergency", a bare "what should I
# do now", "how would I know if I have an infection": a visitor asking whether (or when) to seek care, often
# right after describing symptoms.
_ASKS_WHETHER_TO_SEEK_CARE = re.compile(
    r"\b(?:should|shall|must) (?:i|we|she|he) (?:go|get|call|ring|see|visit|phone|contact)\b.*\b(?:hospital|a ?(?:&|and) ?e|"
    r"er|emergency|doctors?|gp|dr|urgent care|ambulance|111|911|999|112)\b"
    r"|\b(?:do|will) (?:i|we) (?:need|have) to (?:go|see|call|visit)\b.*\b(?:hospital|a ?(?:&|and) ?e|er|emergency|doctors?|gp|"
    r"ambulance)\b"
    r"|\bis (?:this|it|that) (?:an )?emergency\b|\bshould i be (?:worried|concerned|scared)\b"
    r"|\bhow (?:would|do|can|will|could|should) (?:i|you|we) (?:know|tell)\b.*\binfect\w*|\bsigns? of (?:an )?infection\b"
    r"|^\W*(?:so |ok |okay |and |but |then )?what (?:should|do|can|shall) (?:i|we) do(?: now| about it| then)?\W*$",
    re.IGNORECASE,
)


def asks_whether_to_seek_care(text: str) -> bool:
    """True for "should I go to hospital?", "is this an emergency?", a bare "what should I do?"; not "should I
    see a doctor before mesotherapy?"."""
    return bool(_ASKS_WHETHER_TO_SEEK_CARE.search(text or "")) and not re.search(r"\bbefore\b", text, re.IGNORECASE)


def urgent_care_reminder(clinic: Clinic) -> str:
    """What every reply says first once the conversation has had the urgent-care message: the visitor may
    ask "is this normal?", "should I wait?" or "no fever though", and no answer may read as an all-clear."""
    return (
        "Earlier you described symptoms that can be serious after an injection treatment. If you still have "
        f"them, or they come back, please get urgent medical care now (call {clinic.emergency_number} or go to "
        "the nearest emergency department) rather than waiting to see if they pass, and tell the clinic or "
        "practitioner who treated you."
    )


def care_guidance(clinic: Clinic) -> str:
    """When to get urgent care and when to call the clinic: the red flags of the safety policy, in words."""
    return (
        "If you have any of these after a treatment, get urgent medical care now (call "
        f"{clinic.emergency_number} or go to the nearest emergency department): a fever, redness that spreads "
        "or feels hot, pus, trouble breathing or swallowing, swelling of the face, lips or throat, fainting, "
        "skin turning dark or pale, or pain that keeps getting worse. For anything else that worries you, "
        "contact the clinic or the practitioner who treated you."
    )


# ---------------------------------------------------------------------------------------------
# Red-flag detection. A message is a red flag when it REPORTS a symptom that needs urgent care:
# each symptom pattern is looked for clause by clause, and a match does not count when it is
# negated ("no fever, just a bruise") or hypothetical ("can it cause a fever?", "what if my face
# swells"). Normal after-effects the guide describes (mild redness, puffiness, bruising, slight
# soreness) match no pattern. When unsure, the patterns lean towards raising the alarm.
# ---------------------------------------------------------------------------------------------

_S = r"[^.!?;]"  # within one sentence
_FACE = r"(?:face|throat|tongue|lips?|mouth|eyes?|eyelids?|cheeks?|neck)"
_MILD = r"(?:a (?:little |tiny )?bit|a little|little|slight(?:ly)?|mild(?:ly)?|light(?:ly)?|some|just|kinda|kind of|barely|minor)"
_NEG_WORD = (
    r"(?:no|not|nothing|never|none|nor|without|isnt|arent|wasnt|werent|dont|doesnt|didnt|hasnt|havent|wont|cant)"
)


def _gap(most: int) -> str:
    """Up to ``most`` words between two parts of a pattern, none of them a negation."""
    return rf"\W+(?:(?!{_NEG_WORD}\b)\w+\W+){{0,{most}}}?"


# Symptom vocabularies, grouped by kind: the patterns below combine them so that a new wording of a
# known symptom ("can't catch my breath", "tongue feels huge") matches without its own rule.
_BREATH = r"(?:breath\w*|\bair\b|inhal\w*)"
_BREATH_TROUBLE = (
    r"(?:trouble|difficult\w*|hard|harder|struggl\w*|cant|cannot|barely|hardly|unable|weight|short|shortness|catch|"
    r"tight\w*|wheez\w*|fast|rapid\w*|heavy|shallow|labou?red|gasp\w*|problems?|issues?|weird|funny|"
    r"strange|enough|hurts?|painful|whistl\w*|noisy|struggle)"
)
_SWELL = r"(?:swell\w*|swollen|puff\w*|bloat\w*|balloon\w*|blow\w* up|blown up|blew up)"
_SWELL_STRONG = (
    r"(?:up|shut|more|worse|fast|faster|quickly|rapidly|badly|everywhere|all over|by the (?:minute|hour)|"
    r"and (?:it )?(?:wont|will not|doesnt|does not) stop|like (?:a |an )?\w+)"
)
_INTENSE = r"(?:so|very|really|extremely|badly|massively|hugely|severely|super|incredibly|insanely|crazy|seriously|too)"
_COLOUR = (
    r"(?:dark|darker|black|blackish|blackened|blue|bluish|blueish|purple|purplish|grey|gray|greyish|grayish|white|"
    r"whitish|pale|paler|dusky|mottled|ashen|marbled|bluey)"
)
_COLOUR_ALARM = r"(?:black|blackish|blue|bluish|blueish|bluey|grey|gray|greyish|grayish|greyey|white|whitish|dusky|mottled|ashen|marbled|purple|purplish|purply)"
_SPOT = (
    r"(?:patch|patches|area|spot|spots|zone|blotch\w*|region|tip|bit|place|edge|edges|ring|circle|"
    r"colou?r|colou?ring|tinge|tint|shade|discolou?ration)"
)
_SEE = r"(?:vision|sight|eyesight|see|seeing|eyes?|things|everything)"
_SEE_TROUBLE = (
    r"(?:blurr\w*|double|foggy|cloudy|dim|dimmed|fuzzy|hazy|weird|strange|funny|gone|lost|loss|chang\w*|"
    r"problems?|wrong|black\w*|patchy|shadow\w*|darken\w*|grey\w*|gray\w*)"
)
_PAIN = r"(?:pain\w*|hurt\w*|ache\w*|aching|sore\w*|tender\w*|throb\w*|sting\w*|burn\w*)"

_RED_FLAG_PATTERNS = [
    (
        "fever",
        r"\bfever\w*|\bfebrile\b|\bpyrexi\w*|\bchills\b|\bshiver\w*|\brigou?rs\b|burning up|"
        r"sweat\w* (?:through|all night|buckets)|night sweats|hot and cold|hot then cold|cold then hot|"
        r"(?:have|having|running|run|got|get|with|developed|spiking) (?:a |quite a |a high |a bit of a )?(?:temp|temperature)\b|"
        r"(?:high|raised|elevated) (?:temp|temperature)|(?:temp|temperature) (?:is |was |keeps )?(?:high|up|rising|going up|spiking)|"
        r"flu[- ]?like|like (?:i have |i got |i've got )?(?:the |a )?flu\b",
    ),
    (
        "spreading_redness",
        r"(?:red\w*|rash|patch|blotch\w*|swelling|infection|pattern|purple|marks?|streaks?|it|its)\b[^.!?;]{0,30}\b(?:spread|travel|creep|expand|extend|crawl|mov(?:e|es|ing) (?:up|down|out|along|towards?|across))\w*|"
        r"\bspread\w*\s+(?:\w+\s+){0,3}(?:red\w*|rash|up|down|across|over|out|to|along|around)\b|"
        r"red (?:streaks?|lines?)|\bstreak\w*|moving out\w*|"
        r"\b(?:its?|red|redness|rash|patch|blotch\w*|area|swelling|lump|knot|bump|spot|mark)\w*"
        + _gap(4)
        + r"(?:is |are |keeps |has |have |looks? )?(?:getting |gotten |got |grown |become )?(?:bigger|larger|wider|growing)|"
        r"\b(?:getting|gotten|grown|grows|becoming|become|got) (?:\w+ )?(?:bigger|larger|wider)\b|"
        r"(?<!hair )(?<!hairs )(?<!nails )\bgrowing\b(?! back| in\b| out\b| again| hair| my hair| interest| business)|"
        r"(?:past|beyond|outside|over) (?:the |my |that )?(?:pen |marker |drawn )?(?:line|lines|mark|marks|outline|circle|border)\b|"
        r"(?:past|beyond|outside|further than|way past) (?:where|the (?:area|place|spot|spots|bit) where) (?:they|she|he|it|the needle)|"
        r"\b(?:doubled|tripled|twice|double|triple|three times)\s+(?:in |the |its )?size\b|"
        r"\bhot,? (?:\w+,? ){0,2}(?:lump|knot|bump|lumps|bumps|knots|swelling)\b|"
        r"(?:growing|expanding|enlarging|keeps growing) (?:red |hard |painful |hot )?(?:lump|knot|bump|patch|rash|redness|swelling|area)|"
        r"\b(?:bigger|larger|wider) than (?:this morning|yesterday|before|earlier|last night|it was|an hour ago|"
        r"(?:a|an|\d+) (?:hours?|days?) ago)\b|"
        r"keeps (?:growing|spreading|getting bigger)|size of (?:my |a |an )?(?:hand|palm|fist|golf ?ball|egg|orange|plum|walnut)|"
        r"(?:red|redness)\w* (?:and|&) (?:hot|warm|burning)|hot (?:and|&) red|(?:hot|warm) to (?:the )?touch|"
        r"\b(?:spot|spots|site|sites|point|points|area|areas|skin|patch|lump|knot|bump|cheek|cheeks)\s+(?:is |are |feels? |looks? |got |gets )?(?:really |very |so |quite |burning )?hot\b|"
        r"\bit (?:feels|is|looks|gets|got) (?:really |very |so |quite )?hot\b|\bits (?:really |very |so |quite )?hot\b|burning hot|"
        r"\b(?:hard|painful|red|swollen),? (?:and )?hot\b|\bswollen\W+(?:\w+\W+){0,3}?hot\b|\bhot,? (?:and )?(?:hard|swollen|throbbing)\b|"
        r"whole (?:stomach|belly|tummy|face|cheek|leg|thigh|arm|scalp|forehead|neck|area) is (?:red|hot|swollen)|"
        r"\bcellulitis\b|(?:is|are|looks?|looking|got|getting|gotten|became|become|seems?|think (?:its|it is)|might be|could be) infected|"
        r"(?:have|has|got|getting|developed) an? infection|angry[- ]looking|looks angry",
    ),
    (
        "pus",
        r"\bpus\w*|\booz\w*|discharg\w*|abscess\w*|\bweeping\b|(?:yellow|honey|green|cloudy|milky|white)\w* (?:head|gunk|stuff|fluid|liquid|crust\w*|goo|gunge)|"
        r"\bleak\w*|\bdrain\w*|\bseep\w*|something (?:cloudy|yellow|green|white|milky)|"
        r"\b(?:it|wound|spot|site|area|hole|holes|mark|marks) (?:smells|stinks)|smelly|\bfoul\b|\b(?:smell\w*|stink\w*) (?:bad|funny|weird|off|awful|horrible|gross|rotten|strange|disgusting)|\b(?:bad|funny|weird|awful|horrible|rotten) (?:smell|odou?r)|\bboils?\b|\bstinks?\b",
    ),
    (
        "breathing",
        rf"\b{_BREATH_TROUBLE}{_gap(4)}{_BREATH}|{_BREATH}{_gap(3)}{_BREATH_TROUBLE}\b|"
        r"short(?:ness)? of breath|breathless|out of breath|wheez\w*|gasp\w*|suffocat\w*|"
        r"struggling for air|anaphyla\w*|asthma(?:tic)?\W+(?:\w+\W+)?(?:attack|like|symptoms?|feeling|flare)|like (?:an? )?asthma|"
        r"breath\w* (?:feels?|is) like|chest (?:is )?whistl\w*",
    ),
    (
        "swallowing",
        r"(?:cant|cannot|can barely|hard to|difficult\w* to|trouble|struggl\w*|unable to|not able to|hurts to|pain when i) (?:to )?(?:swallow\w*|get (?:\w+ )?down)|"
        r"swallow\w* (?:is |feels )?(?:hard|difficult|painful|a problem|trouble)|"
        rf"\b(?:difficult\w*|trouble|problems?|struggl\w*|pain\w*|hard|cant|cannot|barely){_gap(2)}swallow\w*|"
        rf"throat{_gap(3)}(?:clos\w*|tight\w*|thick\w*|swell\w*|swollen|narrow\w*|weird|funny|strange|blocked|constrict\w*|itch\w*|tingl\w*)|"
        r"(?:lump|something|stuck) in (?:my|the) throat|chok\w*|\bhoarse\b|drool\w*|"
        rf"voice{_gap(2)}(?:gone|changed|hoarse|weird|strange|funny|muffled|different|raspy|croaky)",
    ),
    (
        "allergic_swelling",
        rf"(?:lips?|tongue|throat|mouth)\s+(?:\w+\s+)?(?:is |are |has |have |keeps? |started |getting |got |feels? )?(?:{_MILD}\s+)?(?:{_SWELL}|getting bigger)|"
        rf"\btongue{_gap(3)}(?:{_SWELL}|huge|big|bigger|thick\w*|fat|heavy|numb|tingl\w*)|(?:{_SWELL}|huge|thick) tongue|"
        rf"swell\w*\s+(?:of|in|on)\s+(?:my |the |her |his )?(?:lips?|tongue|throat|mouth)|swollen\s+(?:lips?|tongue|throat|mouth)|"
        rf"swollen shut|puffed up|blown up|(?:face|eyes?|eyelids?|cheeks?)\s+(?:is |are |has |have |keeps? |started |got |getting )?(?:swell\w* up|swell\w* more|ballooned|balloon\w*)|"
        rf"{_SWELL}\s+(?:\w+\s+)?{_SWELL_STRONG}\b|(?:huge|massive|enormous|{_INTENSE}) (?:swell\w*|swollen|puffy|puffed)|"
        rf"(?:face|eyes?|eyelids?|cheeks?|forehead)\s+(?:is |are |has |have |keeps? |started |got |getting )(?:swell\w*|swollen)|"
        rf"my (?:face|eyes?|eyelids?) (?:swell\w*|swollen)|whole (?:face|body|head)\W+(?:\w+\W+){{0,2}}{_SWELL}|"
        rf"(?:cant|cannot|can barely|can hardly|hard to) open (?:my |her |his |one |both )?(?:eyes?|eyelids?|mouth)|"
        rf"\b(?:lips?|tongue|face|eyes?|eyelids?|mouth|cheeks?){_gap(2)}(?:huge|massive|enormous|twice the size|double the size|gigantic)\b|"
        rf"\b(?:lips?|tongue|face|eyes?|eyelids?|mouth|cheeks?|forehead){_gap(3)}(?:blow\w* up|blown up|blew up|puff\w* up|swell\w* up|swole up|balloon\w*)|"
        rf"like a (?:chipmunk|balloon|hamster)|\ballergic reaction\b|\bangioedema\b",
    ),
    (
        "hives",
        r"\bhives\b|\bwelts?\b|\burticari\w*|\bnettle\w*|(?:rash|bumps|blotch\w*|itch\w*|swelling|hives|welts)\w*\s+(?:\w+\s+){0,3}(?:all over|everywhere)|"
        r"covered in (?:hives|a rash|rash|red bumps|bumps|welts|blotches|itchy)|(?:not just|even) where (?:they|she|he|it)\s+(?:didnt |did not )?(?:inject\w*|did|went)|"
        r"all over my body|\bitchy rash\b|itch\w* all over",
    ),
    (
        "skin_colour",
        r"(?:\b(?!(?:hair|eyes?|bruis\w*|circles?|mood)\b)\w+\b(?:\s+\w+){0,3}?\s+"
        r"(?:has |have |is |are )?(?:gone|going|turned|turning|turn|turns|become|becoming|becomes|looks?|looking|is|are|was|were|went|got|getting|has been)|\bits)\s+"
        r"(?:(?:still|really|very|quite|kind of|kinda|a bit|all|totally|completely|almost|sort of|now|more|a|an|"
        r"weird|strange|funny|odd|scary|horrible|awful|nasty|deep|light) ){0,3}"
        rf"{_COLOUR}\b|"
        rf"\b{_COLOUR_ALARM}(?:ish)?\s+(?:and \w+ )?{_SPOT}\b|"
        r"\bmottl\w*|\blacy\b|net[- ]like|\bblanch\w*|\bnecros\w*|\bnecrotic\b|skin (?:is )?dying|dead skin|tissue (?:is )?dying|"
        r"\b(?:skin|tissue|area|spot|patch|it|its)\b(?:\s+\w+){0,3}?\s+(?:looks?|looking|is|seems?|feels?|gone|went)\s+(?:\w+\s+)?(?:dead|dying)\b",
    ),
    (
        "fainting",
        r"(?:feel|felt|feeling|feels|went|go|going|gone|nearly|almost) (?:very |really |so |a bit |quite )?faint\b|"
        r"\bfainted\b|\bfainting\b|(?:going|about) to faint|pass(?:ed|ing|es)? out|blacked out|black(?:ing)? out|"
        r"\bcollaps\w*|lost consciousness|unconscious|\bdizz\w*|light[- ]?headed|(?:seems|acting|hes|shes|and) confused|"
        r"confused and|room (?:is )?spinning|\bwoozy\b|keel\w* over|hit the (?:floor|ground)|\bvertigo\b|"
        r"(?:fell|fall|falling) (?:down|over) when",
    ),
    (
        "severe_pain",
        r"(?:severe|extreme|unbearable|excruciating|worsening|intense|terrible|horrible|horrendous|agoni\w*|crazy|insane|awful|"
        r"unreal|intolerable|really bad|very bad|so much|a lot of|killer|stabbing|worst|sharp)\s+(?:\w+\s+){0,2}(?:pain|ache|aching|soreness)|"
        r"(?:pain|hurts?|hurting|ache|aching|soreness|sore|throbbing)\w*\s+(?:\w+\s+){0,3}(?:unbearable|excruciating|severe|killing me|intolerable)|"
        r"(?:pain|hurt\w*|sore\w*|tender\w*)[^.!?;]{0,30}\b(?:[7-9]|10)\s*(?:/|out of)\s*10|\b(?:[7-9]|10)\s*(?:/|out of)\s*10\s+(?:pain|hurt)|"
        r"(?:hurts?|hurting|painful)\s+(?:so much|so bad|like hell|really bad|a lot|terribly|like crazy|like mad|loads)|"
        r"(?:very|really|extremely|so|super|incredibly|unbearably) (?:painful|tender)|extremely sore|unbearably sore|\bin agony\b|"
        r"(?:cant|cannot) (?:bear|stand|take) (?:the |this )?(?:pain|it)|"
        r"(?:crying|screaming|cant sleep|cannot sleep|can not sleep|cant move|cant walk)\s+(?:\w+\s+){0,3}(?:pain|hurts?)|"
        r"(?:pain|hurts?)\w*\s+(?:\w+\s+){0,6}(?:cant sleep|cannot sleep|crying|screaming)|"
        r"(?:painkillers?|paracetamol|ibuprofen|tylenol|advil|pain meds|medication)\s+(?:are |is |do |does )?(?:not|dont|doesnt|arent|isnt|no longer|nothing)\s*(?:touching|working|helping|help|work|touch|doing)|"
        r"hurts so much|\b(?:pain\w*|hurt\w*|ache\w*|aching|sore\w*|throb\w*)\W+(?:\w+\W+){0,4}?(?:off the charts?|through the roof|unbearable|unreal|insane|horrific|crippling|debilitating|agoni\w*|killing me)|"
        r"\b(?:crippling|debilitating|horrific|agoni[sz]ing) (?:pain|ache|soreness)",
    ),
    (
        "other",
        r"something(?: is| feels| seems)? (?:very |really |seriously |badly )?(?:wrong|off) with (?:my|her|his|the) "
        r"(?:throat|eyes?|vision|sight|breathing|chest|heart|tongue|lips?|face|skin)",
    ),
    (
        "chest_pain",
        r"chest\s+(?:\w+\s+){0,2}(?:pain\w*|tight\w*|hurts?|pressure|squeez\w*|heavy|ach\w*)|"
        r"(?:pain\w*|ache\w*|aching|hurt\w*|tight\w*|pressure|squeez\w*|heaviness|crush\w*)\s+(?:\w+\s+){0,5}?(?:my |the |her |his )chest|tight chest|"
        r"heart (?:is )?(?:racing|pounding|beating (?:so |very |really )?fast)|palpitation\w*|(?:pain|ache)\w* (?:\w+ ){0,4}(?:down|in|into) my left arm",
    ),
    (
        "worsening",
        r"(?:getting|gets|got|gotten|becoming|even|much|way|far|keeps getting)\s+worse|worse and worse|worsening|"
        r"worse (?:today|every|each|now|by the)|worse than (?:yesterday|this morning|last night|before|earlier|at first|the day before|\w+day)|"
        r"\b(?:a (?:little|bit|tad)|slightly|bit) worse\b|"  # "not really getting better, maybe a little worse?"
        # texted day by day: "day 3 even more swollen n tight", "now day 4 its back and worse"
        r"\b(?:back|returned|came back|come back) (?:and|but) (?:even |much )?worse\b|"
        r"\b(?:even|much|way|getting|got) more (?:swollen|puffy|red|bruised|painful|sore|tender)\b|\bmore and more swollen\b",
    ),
    (
        "vision",
        r"(?:vision|eyesight|sight)\s+(?:is |went |has gone |gone |goes |became |is getting |getting |has )?(?:\w+ )?(?:blurr\w*|double|dark\w*|foggy|cloudy|dim|weird|strange|funny|gone|lost|loss|changed|problems?)|"
        rf"\b{_SEE}{_gap(3)}{_SEE_TROUBLE}\b(?! circles)|"
        r"(?:shadow|spots?|spot|curtain|flash\w*) (?:in|across) my (?:vision|eye|sight)|(?:loss of|lost|losing|lose)\W+(?:\w+\W+){0,4}?(?:vision|sight|eyesight)|"
        r"\bblurr\w*|seeing (?:double|spots|stars|flashes)|double vision|"
        r"(?:cant|cannot|can not|can barely|can hardly) see\b(?! (?:it|them|him|her|the|any|a|where|how|why|what|through|much|results?|if|myself)\b)|"
        r"\bblind\b|going blind|(?:things|everything) (?:look|looks|is|are) (?:foggy|blurry|dark|cloudy)|"
        r"(?:foggy|cloudy) in (?:my|one|the) eye|flashes of light",
    ),
    (
        "blistering",
        r"\bblister\w*|open (?:sore|wound)|\bulcer\w*|won'?t (?:close|heal)|wont (?:close|heal)|"
        r"skin (?:is )?(?:peeling off|breaking down|falling off|coming off)|filled with (?:liquid|fluid|water)|"
        r"\b(?:break\w*|broke|broken|split\w*|crack\w*|tear\w*|torn|burst\w*|rip\w*) (?:open|apart|down)\b|"
        r"bubbles? (?:of|on|under) (?:the |my )?skin|skin (?:is |feels |looks )?raw|raw (?:skin|wound|area)|"
        r"(?:black|dark|blackish)\w* (?:scab|crust)|\b(?:skin|area|spot|wound|it|its)\W+(?:\w+\W+){0,5}?raw\b|\bcrater\w*|hole in (?:my |the )?skin",
    ),
]
_RED_FLAG_RE = [(kind, re.compile(pattern)) for kind, pattern in _RED_FLAG_PATTERNS]

# A symptom word governed by one of these (up to 4 words before it, no "and"/"but" between).
_NEGATOR = re.compile(
    r"\b(?:no|not|nor|nothing|without|never|dont|doesnt|didnt|isnt|arent|wasnt|werent|havent|hasnt|hadnt|"
    r"zero|none|free of|denies|neither)\b"
)
_NOT_A_NEGATION = re.compile(
    r"\b(?:dont know|do not know|not sure|no idea|dont understand|not normal|not ok(?:ay)?|"
    r"not fine|not good|not right|not better|not stopping|not going away|not improving|"
    r"nothing helps|not just|not like|no longer|not able|dont think (?:its|it is) normal)\b"
)
# The symptom is a question about what could happen, not a report ("what if", "can it cause ...").
_HYPOTHETICAL_BEFORE = re.compile(
    r"(?<!normal )(?<!ok )(?<!okay )(?<!fine )\bif\b|\bwhat if\b|\bin case\b|\bwhether\b|\bsometimes\b|\busually\b|\bever\b|"
    r"\bis it true\b|\b(?:read|heard|seen) (?:online |somewhere |on \w+ )?(?:about|that)\b|"
    r"\b(?:can|could|will|would|might|may|do|does|did) (?:i|you|we|people|patients|someone|anyone|one|it|meso\w*|this|that|"
    r"the (?:treatment|injections?|cocktail|procedure|product)|they|injections?|fillers?)\s+(?:\w+\s+)?"
    r"(?:get|have|develop|experience|cause|trigger|give|lead|make|result|leave|happen)\b|"
    r"\b(?:should|do|would|need to) (?:i|we|you|people)? ?(?:be )?(?:worr\w*|concerned|scared|afraid) (?:about|of)\b|"
    # "my friend said mesotherapy can cause necrosis, is that true?"
    r"\b(?:can|could|may|might|will|does|do) (?:cause|give|lead to|result in)\b|\b(?:friends?|someone|people|they|article|internet|google|reddit|tiktok|online) (?:said|says|told me|claims?)\b|"
    r"\b(?:worr\w*|nervous|anxious|scared|afraid|frightened|terrified|fear|paranoid) (?:about|of)\b|\bhow (?:do|can|would|will|to) (?:i|you|we|one)? ?(?:know|tell|recogni[sz]e|spot)\b|"
    r"\b(?:ok|okay|safe|fine|allowed|possible|go ahead|do it|have it|get it|have meso\w*|get meso\w*|come|book) with\b|"
    r"\bwatch (?:out )?for\b|\bsigns? of\b|\bsymptoms? of\b|\bwhat (?:does|do|would|will) (?:an? |the )?\w+ ?\w* look like\b"
)
_HYPOTHETICAL_ANYWHERE = re.compile(
    r"\b(?:possible|possibly) side effects?\b|\bis (?:that|this|it) (?:common|usual|frequent|rare)\b|\bhow (?:common|often|rare)\b|\bever an? (?:sign|symptom|problem|emergency)\b|\b(?:avoid|prevent)\b|"
    r"\b(?:shes|hes|theyre|she is|he is|they are) (?:fine|ok|okay|better|all right|alright) now\b|\b(?:years|a year) ago\b|\bis (?:that|this|it) (?:even )?a thing\b|(?<!doesnt )(?<!dont )(?<!not )\blook like\b|\b(?:can|could|would|will|might|may) (?:that|this|it) happen\b|"
    r"\bdoes (?:that|this|it) happen\b|\bis (?:that|this) true\b|\basking for (?:a friend|my \w+)\b|\bjust (?:want|wanted) to know\b|\bbefore i book\b|"
    r"\ba (?:possible|common|known|rare) (?:side effect|complication|risk)\b|\bpossib\w*|\bchances?\b|\brisks? of\b"
)
_REPORT_MARKERS = re.compile(
    r"\b(?:since|(?<!years )(?<!a year )ago|this morning|tonight|today|yesterday|last night|now|still|started|"
    r"i have|ive got|i got|im having|i feel|im feeling|my (?:temp|temperature) is|"
    # "is it normal that its red and warm?": the question reports the symptom
    r"(?:normal|ok|okay|fine) that (?:its|it is|my|the)|(?:has|have) (?:gone|turned|become)|"
    r"my (?:fever|temp\w*|face|lips?|throat|tongue|skin|chest|vision|eyes?|pain|cheeks?|arm|leg|thigh|stomach|belly|scalp))\b"
)
# Idioms: "my mum nearly fainted when I told her the price", a cold that is over.
_IDIOM = re.compile(
    r"\b(?:dizzy|light ?headed|faint|woozy)\w* (?:from|because|cause) (?:of )?(?:not eating|skipping|hunger|hungover|(?:i )?(?:skipped|didnt eat|forgot to eat|havent eaten))[^.!?,]*|\b(?:faint|fainted|faints|pass out|passed out|black out)\w* (?:at the sight|when i see|at (?:blood|needles)|from (?:blood|needles))\b|\b(?:nearly|almost) (?:fainted|died|passed out|had a heart attack)\b[^.!?]{0,40}\b(?:when|price|cost|bill)\b|"
    r"\b(?:had|have had) (?:a |an )?(?:bad |high |slight |little )?(?:cold|flu|virus|bug|fever|temp|temperature|infection)"
    r"(?: with (?:a )?(?:fever|temperature))?[^.!?]{0,40}\b(?:all better|better now|recovered|gone now|fine now|ok now|okay now|"
    r"cleared up|went away|all gone|over it)\b|"
    r"\bbefore (?:my|the) (?:first )?(?:session|treatment|appointment)\b[^.!?]{0,20}\b(?:fever|temperature)\b"
)

_JOKE = re.compile(r"(?<!not )\b(?:jk|j/k|just kidding|just joking|only joking|im kidding|im joking)\b")
_CLAUSE_SPLIT = re.compile(r"[.!?;:\n]+|,(?!\d)|\s(?:but|however|although|though|tho|whereas|except)\s")
_TEMP_THRESHOLD_QUESTION = re.compile(
    r"\b(?:if|in case|above|over|higher than|more than|at what|what temp\w*|from what|under|below)\b"
)
_TEMP_CONTEXT = re.compile(r"\b(?:temp(?!les?\b)\w*|thermometer|fever\w*|febrile|degrees?|deg)\b|°|º")  # not "temples"
_TEMP_NUMBER = re.compile(
    r"(?<![\d.,/])(\d{2,3}(?:[.,]\d{1,2})?)\s*(°|º|degrees?|deg)?\s*(celsius|fahrenheit|c|f)?\b(?!\s*(?:years?|yrs?|yo|y/o|kg|kilos?|lbs?|pounds|weeks?|days?|hours?|hrs?|mins?|minutes|sessions?|injections?|%|mg|ml|mm|cm|am|pm|/10))"
)


def _normalise(text: str) -> str:
    text = (text or "").lower().replace("’", "'").replace("`", "'")
    text = re.sub(r"(\w)'(\w)", r"\1\2", text)  # can't -> cant, it's -> its
    return re.sub(r"[ \t]+", " ", text)


_SIZE = re.compile(r"(?<![\d.])(\d+(?:[.,]\d+)?)\s?(cm|mm|centimet\w*|millimet\w*|inch\w*)\b")
_NOW_OR_GROWN = re.compile(r"\b(?:now|grown|grew|bigger|larger|wider|went up to|up to)\b")


def _grew_in_size(text: str) -> bool:
    """A patch measured twice, the later size larger ("about 4cm ... wasn't there this morning, now it's maybe
    6cm"): redness that spreads."""
    sizes = []
    for match in _SIZE.finditer(text):
        value = float(match.group(1).replace(",", "."))
        unit = match.group(2)
        sizes.append(
            (value * (0.1 if unit.startswith("m") else 2.54 if unit.startswith("inch") else 1.0), match.start())
        )
    if len(sizes) < 2:
        return False
    (first, first_at), (last, last_at) = sizes[0], sizes[-1]
    return last > first and bool(_NOW_OR_GROWN.search(text[first_at:last_at]))


def _fever_number(text: str) -> bool:
    """A body temperature of 38 °C / 100.4 °F or more, stated with a temperature word or unit, or as
    a bare decimal from 38 to 42."""
    for match in _TEMP_NUMBER.finditer(text):
        value = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "") + (match.group(3) or "")
        window = text[max(0, match.start() - 40) : match.end() + 25]
        # A bare decimal between 38 and 42 ("38.2 this morning") is a body temperature too.
        bare_temperature = (
            bool(re.search(r"[.,]", match.group(1)))
            and 38.0 <= value <= 42.0
            and not re.search(
                r"[£$€]\s*$|\b(?:size|number|no|version|v|at|around)\s*$",
                text[max(0, match.start() - 10) : match.start()],
            )
        )
        if not (unit or _TEMP_CONTEXT.search(window) or bare_temperature):
            continue
        if 38.0 <= value <= 43.5 or 100.4 <= value <= 110.0:
            before = text[max(0, match.start() - 30) : match.start()]
            if not _TEMP_THRESHOLD_QUESTION.search(before):
                return True
    return False


_NEGATION_FILLERS = frozenset(
    "a an any the real actual sign signs of have had has got get getting feel felt feeling really more much big major "
    "serious high so too such at all or symptoms trace hint i been think its it is any".split()
)


def _negated(before: str) -> bool:
    """True when the symptom right after ``before`` is governed by a negation ("no fever")."""
    before = _NOT_A_NEGATION.sub(" , ", before)
    negators = list(_NEGATOR.finditer(before))
    if not negators:
        return False
    between = before[negators[-1].end() :].split()
    if len(between) <= 6 and ("or" in between or "nor" in between):  # "not hot or growing"
        return True
    return len(between) <= 4 and all(word in _NEGATION_FILLERS for word in between)


_SYMPTOM_WORD = re.compile(
    r"\b(?:pain\w*|hurt\w*|sore\w*|swell\w*|swollen|red\w*|lump\w*|rash|throb\w*|ach\w*|burn\w*|"
    r"bruis\w*|puff\w*|bump\w*|spots?|its?|this|tender\w*|itch\w*|knot|skin|face|area|fever|temp\w*)\b"
)
_BRUISE = re.compile(r"\bbruis\w*")
_NOT_A_BRUISE = re.compile(
    r"\b(?:not|doesnt|dont|does not|isnt|is not)\s+(?:look |looks |feel |feels |seem |seems )?(?:like )?"
    r"(?:a |an )?(?:normal |usual |regular |typical |ordinary )?bruis\w*"
)  # "it doesn't look like a normal bruise"
_WEATHER = re.compile(r"\b(?:today|outside|weather|sun|summer|out there|shower|bath|sauna)\b")
# Heat from the surroundings ("burning up in the office, the aircon is broken"): no fever.
_AMBIENT_HEAT = re.compile(r"\bburning up\b|\bsweat\w*|\bhot and cold\b")
_SURROUNDINGS = re.compile(
    r"\b(?:outside|weather|sun|summer|out there|shower|bath|sauna|office|aircon|air ?con\w*|heating|"
    r"heat ?wave|radiator|gym|workout|hot day|kitchen)\b"
)


_BROWN_MARK = re.compile(r"\bbrown\w*|\btan(?:ned)?\b|pigment\w*|\bfreckl\w*")
# A reaction long past, told as history before a question ("last year I came out in hives from a serum. Could I
# have an allergic reaction?"): no report of now.
_LONG_AGO = re.compile(
    r"\blast (?:year|summer|winter|spring|autumn)\b|\byears? ago\b|\bas a (?:kid|child|teen\w*)\b|"
    r"\bin the past\b|\bused to\b"
)


def _counts(kind: str, match: "re.Match[str]", clause: str, sentence: str) -> bool:
    """Checks that one kind of symptom needs beyond its pattern."""
    found = match.group(0)
    if kind == "worsening":
        return bool(_SYMPTOM_WORD.search(sentence))
    near = clause[max(0, match.start() - 20) : match.end() + 15]
    # "my face is a bit puffy" is the guide's normal swelling; lips swelling, even "a bit", can be an allergic
    # reaction (outside probe: "my lips are a bit swollen but it's fine" was reassured)
    if (
        kind == "allergic_swelling"
        and re.search(r"\b(?:face|eyes?|eyelids?|cheeks?)\b", found)
        and not re.search(r"\blips?\b", found)
        and not re.search(r"shut|puffed up|blown up|ballooned|more|worse|up\b", found)
        and re.search(rf"\b{_MILD}\b", near)
    ):
        return False
    if kind == "skin_colour" and _BRUISE.search(sentence) and not _NOT_A_BRUISE.search(sentence):
        return bool(re.search(r"mottl|lacy|net|blanch|necro|dying|dead", found))
    if kind == "skin_colour" and _BROWN_MARK.search(sentence) and not re.search(_COLOUR_ALARM + r"|\bpale", sentence):
        return False  # "looks darker... brownish mark, 3 weeks later": a mark of pigment, not skin losing its blood
    if kind == "spreading_redness" and found.startswith("it") and _WEATHER.search(clause):
        return False
    if kind == "fever" and _AMBIENT_HEAT.search(found) and _SURROUNDINGS.search(sentence):
        return False
    if kind in ("hives", "allergic_swelling") and _LONG_AGO.search(sentence):
        return False
    return True


def _reports_rather_than_asks(normalised: str) -> bool:
    """False for a message that only asks about risks ("can it cause...?", "what if...")."""
    if _REPORT_MARKERS.search(normalised):
        return True
    return not (
        _HYPOTHETICAL_ANYWHERE.search(normalised)
        or _QUESTION_START.search(normalised)
        or _HYPOTHETICAL_BEFORE.search(normalised)
    )


# Whether one may have the treatment, with nothing said of one already had: "is it ok to have meso when i have my
# period and feel dizzy a lot because of anaemia" describes the visitor's health before any treatment.
_ASKS_WHETHER_TO_HAVE_IT = re.compile(
    r"\b(?:is it (?:ok|okay|safe|fine|alright|all right) (?:for me )?to|can i (?:still )?|could i|may i|should i)\s+"
    r"(?:have|get|do|book|try|start)\s+(?:meso\w*|it|the treatment|this treatment|the injections|a treatment)\b|"
    # "my dad is on blood thinners and he wants meso for hair loss": someone's health before any treatment
    r"\b(?:i|he|she|they|we)\s+(?:wants?|would like|is thinking of|are thinking of|am thinking of)\s+"
    r"(?:to (?:have|get|try|do) )?(?:meso\w*|the treatment|the injections)\b"
)
_A_TREATMENT_HAD = re.compile(
    r"\b(?:after|afterwards?|since|session|sessions|appointment|had (?:it|meso\w*|the|my|a)|got (?:it|meso\w*) done|"
    r"treated|injected|injections? (?:yesterday|today|last)|yesterday|last (?:week|night)|ago|post)\b"
)


def red_flag_kinds(text: str, use_classifier: bool = True) -> List[str]:
    """The kinds of red-flag symptoms ``text`` reports (empty when it reports none): the symptom
    rules, backed up by the red-flag classifier (kind "unspecified") on messages that report more
    than the normal after-effects the guide describes."""
    normalised_text = _normalise(text)
    if _ASKS_WHETHER_TO_HAVE_IT.search(normalised_text) and not _A_TREATMENT_HAD.search(normalised_text):
        return []  # a question about having it, with the visitor's health as it is now: who should not have it
    kinds = _rule_red_flag_kinds(text)
    if kinds or not use_classifier:
        return kinds
    normalised = _normalise(text)
    if not normalised.strip() or normalised.lstrip().startswith("/") or not _reports_rather_than_asks(normalised):
        return kinds
    from bot.answering import safety_classifier

    # "and coffee?" or "had my first session yesterday" names no complaint: the classifier alone raised the alarm
    if (
        _names_a_complaint(normalised)
        and safety_classifier.red_flag_probability(text) >= safety_classifier.RED_FLAG_THRESHOLD
    ):
        return ["unspecified"]
    return kinds


def _rule_red_flag_kinds(text: str, asked_too: bool = False) -> List[str]:
    """The kinds of red-flag symptoms the symptom rules find in ``text``; with ``asked_too``, also those it
    only asks about ("is fever normal after it?", "can it cause pus?")."""
    normalised = _normalise(text)
    if not normalised.strip():
        return []
    kinds: List[str] = []
    if _fever_number(normalised):
        kinds.append("fever")
    if _grew_in_size(normalised):
        kinds.append("spreading_redness")
    for sentence in re.split(r"[.!?;\n]+", normalised):
        if _IDIOM.search(sentence):
            sentence = _IDIOM.sub(" ", sentence)
        hypothetical_sentence = bool(_HYPOTHETICAL_ANYWHERE.search(sentence)) or bool(
            _QUESTION_START.search(sentence)
        )  # "is it normal to get ...?": a question, unless it reports
        for clause in _CLAUSE_SPLIT.split(sentence):
            if _JOKE.search(clause):
                continue
            for kind, pattern in _RED_FLAG_RE:
                for match in pattern.finditer(clause):
                    before = clause[: match.start()]
                    if _negated(before):
                        continue
                    if not asked_too and _HYPOTHETICAL_BEFORE.search(before):
                        continue
                    if not asked_too and hypothetical_sentence and not _REPORT_MARKERS.search(clause):
                        continue
                    if not _counts(kind, match, clause, sentence):
                        continue
                    kinds.append(kind)
                    break
    return list(dict.fromkeys(kinds))


def asks_about_red_flags(text: str) -> bool:
    """True when ``text`` names a red-flag symptom without reporting it ("is fever normal after
    mesotherapy?", "my friend got a fever, is that common?"): no normal after-effect, worth saying when to
    get urgent care."""
    return not has_red_flags(text) and bool(_rule_red_flag_kinds(text, asked_too=True))


def has_red_flags(text: str) -> bool:
    """True when ``text`` reports a symptom that needs urgent care."""
    return bool(red_flag_kinds(text))


# Personal health conditions the guide does not address, as short human phrases.
_PERSONAL_CONDITIONS = [
    # "conceive", "conceiving", not "who first conceived of mesotherapy" (invented)
    (
        "pregnancy",
        r"pregnan\w*|expecting a baby|trying (?:to get pregnant|for a baby)|\bivf\b|\bconceiv(?:e|es|ing)\b|"
        r"\b(?:give|giving|gave|given) birth\b|post[\s-]?partum|\bhad (?:a|my|the) baby\b",
    ),
    ("breastfeeding", r"breast[\s-]?feed\w*|breast[\s-]?fed|\bnursing\b|\blactat\w*|pumping milk"),
    (
        "menstruation",
        r"\bmenstrua\w*|\bmenses\b|\b(?:on|during|having|have|got) (?:my|your|her|a|the) period\b|time of the month|"
        # "how do periods affect the results", "my periods", not "recovery periods"
        r"\b(?:my|your|her) periods?\b|(?<!recovery )(?<!waiting )(?<!healing )(?<!downtime )(?<!time )\bperiods\b",
    ),
    (
        "blood thinners",
        r"blood[\s-]?thinn\w*|anti[\s-]?coagula\w*|warfarin|coumadin|heparin|apixaban|eliquis|rivaroxaban|"
        r"xarelto|dabigatran|clopidogrel|plavix|aspirin",
    ),
    ("diabetes", r"diabet\w*|insulin|blood sugar|metformin"),
    ("allergies", r"allerg\w*|anaphyla\w*|epipen"),
    (
        "autoimmune conditions",
        r"auto[\s-]?immune|lupus|rheumatoid|multiple sclerosis|\bms\b|hashimoto|psoriatic|crohn\w*|"
        r"colitis|immunosuppress\w*|scleroderma",
    ),
    (
        "heart conditions",
        r"heart (?:condition|disease|problems?|issues?|failure|attack|murmur|surgery)|cardiac|pacemaker|"
        r"arrhythmi\w*|high blood pressure|hypertension|blood pressure",
    ),
    ("high cholesterol", r"cholesterol"),
    ("cancer", r"cancer|chemo\w*|tumou?r|oncolog\w*|radiotherapy|radiation therapy|leuka?emia|lymphoma"),
    (
        "age",
        r"\b(?:1[0-7]|[6-9]\d)\s*(?:years? old|yrs? old|yo|y/o)\b|\b(?:at|aged?) (?:1[3-7]|[6-9]\d)\b(?!\s*(?:am|pm|:|h\b))|\bunder\s*18\b|(?<!since my )(?<!in my )(?<!as a )\bteen\w*|too (?:young|old)|"
        r"\b(?:my|an?|what|certain|minimum|maximum|max|min|upper|lower) age\b|\bage (?:limit|where|when|at which)\b|"
        r"\belderly\b|\bminors?\b|\bold age\b|\bat my age\b|\bseniors?\b|\bpensioner|"
        # "is meso safe for kids", "my son is 12"; not "stretch marks I got after having my kids"
        r"\bfor (?:my |your |a |the )?(?:kids|children|child|toddlers?|babies|my son|my daughter)\b|"
        r"\b(?:son|daughter|kid|child|boy|girl) is (?:1[0-7]|[1-9])\b|"
        # "i'm 17", "im 65, can i", "my mum is 60", not "i'm 17 weeks pregnant"
        r"\b(?:i(?:'|’)?m|(?:she|he)(?:'|’)?s|(?:she|he|mum|mom|mother|dad|father|husband|wife|son|daughter) is) "
        r"(?:1[0-7]|[6-9]\d)\b(?!\s*(?:kg|kilos?|lbs?|pounds|stone|cm|%|weeks?|days?|months?|hours?|minutes?|mins?))",
    ),
    (
        "medications",
        r"medicat\w*|medicine|\bmeds\b|\bpills?\b|prescri\w*|antibiotic\w*|steroid\w*|isotretinoin|"
        r"accutane|roaccutane|retinoid\w*|antidepress\w*|supplements?|\bon (?:the )?pill\b|"
        r"hormone replacement|\bhrt\b|hormon\w* (?:therapy|treatment|pills?|tablets?)|levothyroxine|thyroxine|"
        r"thyroid (?:meds|medication|tablets?|pills?)|birth control|contracepti\w*|paracetamol|acetaminophen|"
        r"ibuprofen|painkillers?|pain killers?|antihistamines?|sertraline|\bssris?\b|fluoxetine|allopurinol|statins?|"
        r"\b(?:i|and|also|i'?m|im|i am) (?:also |currently |still |daily )?(?:take|taking) "
        # a medicine's name, not "i take a shower", "taking my mum", "take care" ("my meds", "the pill": words above)
        r"(?!(?:the|a|an|my|your|his|her|some|any|it|that|this|them|care|time|photos?|pictures?|pics|off|part)\b)\w+|"
        # hair-loss and acne medicines a visitor takes ("i use minoxidil every day"); not "what is dutasteride?"
        r"\b(?:i|i'?m|im|and|also|on|use|using)\b[^.?!]{0,20}\b(?:minoxidil|finasteride|dutasteride|doxycycline|"
        r"spironolactone|hydroxychloroquine|tretinoin)\b",
    ),
    ("keloid scarring", r"keloid\w*|hypertrophic scar\w*|scar badly|i scar easily"),
    (
        "skin conditions on the area",
        r"(?:\b(?:i have|i've got|ive got|i get|i suffer from|suffering from|with|my|active|a flare of|flaring)\s+(?:\w+\s+)?"
        r"(?:eczema|rosacea|psoriasis|dermatitis|acne|cold sores?|herpes|impetigo|sunburn\w*|vitiligo|skin condition\w*|"
        r"skin infection))|(?:eczema|rosacea|psoriasis|dermatitis|acne)\s+(?:is\s+)?(?:flar\w*|active|on (?:my|the))|"
        r"active (?:breakout|infection|spots)|open wounds?|broken skin|cold sores?",
    ),
    ("tattoos or moles on the area", r"\btattoo\w*|\bmoles?\b|\bbirthmarks?\b"),
    ("immune system conditions", r"\bhiv\b|immune system|immunocompromised|weak(?:ened)? immune"),
    ("asthma or lung conditions", r"\basthma\w*|\binhaler\b|ventolin|salbutamol|\bcopd\b"),
    ("gout", r"\bgout\b"),
    ("kidney or liver conditions", r"\b(?:kidney\w*|renal|liver|hepat\w*|dialysis)\b"),  # not "deliver"
    (
        "blood or clotting conditions",
        r"anaemi\w*|anemi\w*|clotting|\bdvt\b|thrombo\w*|\bbruise (?:\w+ )?easily\b|bleeding disorder|haemophilia|"
        r"hemophilia|von willebrand|\b(?:i|she|he|they) (?:always |usually )?bleeds? (?:a lot|easily|heavily|for ages)\b",
    ),
    # "my grandmother has dementia and my aunt wants to book her meso"; "she cant really consent"
    ("dementia or capacity to consent", r"dementia|alzheimer\w*|\bcan'?t (?:really )?consent\b|capacity to consent"),
    (
        "fainting",
        # fainting is a health matter ("i always pass out at needles", "what if i faint"); a fear of needles ("i'm
        # scared of needles, will it hurt?") asks about the treatment, whose answer says the skin is numbed and
        # the sting well tolerated
        r"\b(?:faint\w*|pass(?:es)? out|passed out)\b(?: \w+){0,4} needles?\b|\bvasovagal\b|"
        r"\b(?:what if|in case) (?:i|she|he|they) (?:faint|pass out|passes out|faints)\b|"
        r"\b(?:i|she|he) (?:might|could|usually|always|often|tend to|tends to) (?:faint|pass out|passes out|faints)\b",
    ),
    ("epilepsy", r"epilep\w*|seizures?"),
    ("infections", r"(?:have|got|with) (?:a |an |the )?(?:cold|flu|infection|virus|covid)"),
]
_PERSONAL_CONDITION_RE = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _PERSONAL_CONDITIONS]


def personal_conditions(text: str) -> List[str]:
    """The personal health conditions ``text`` mentions that the guide does not address, as short
    phrases ("pregnancy", "blood thinners"), in a fixed order, each once."""
    return [name for name, pattern in _PERSONAL_CONDITION_RE if pattern.search(text or "")]


def is_safety_question(intent: str, text: str, use_classifier: bool = True) -> bool:
    """True when the intent, the word rules or the safety classifier say the message is about
    safety (the classifier at a low threshold: when in doubt, the recommendation is added)."""
    if intent in SAFETY_INTENTS or _SAFETY_WORDS.search(text or "") or personal_conditions(text):
        return True
    if asks_whether_to_seek_care(text):
        return True
    if not use_classifier or not (text or "").strip() or text.startswith("/"):
        return False
    from bot.answering import safety_classifier

    return safety_classifier.safety_probability(text) >= safety_classifier.THRESHOLD


def needs_urgent_care(intent: str, text: str) -> bool:
    """True when the message reports red-flag symptoms (by its words, or by a red-flag intent whose
    words are not a question, a negation or a normal after-effect)."""
    return has_red_flags(text) or (intent in RED_FLAG_INTENTS and _intent_alarm(text))


def apply_safety_policy(
    messages: List[str],
    intent: str,
    text: str,
    urgent_message: str,
    recommendation: str,
    safety_question: Optional[bool] = None,
    reminder: Optional[str] = None,
) -> List[str]:
    """Return ``messages`` with the urgent-care message first and the recommendation last,
    each where the policy asks for it. ``safety_question`` overrides the safety-question
    decision (the handoff form decides it for answers to its own questions); red flags are
    always checked. ``reminder`` (given once the conversation has had the urgent-care message)
    comes first, once, when this message reports no red flag itself."""
    result = [m for m in messages if m not in (urgent_message, recommendation, reminder)]
    red_flag = needs_urgent_care(intent, text)
    if red_flag:
        result.insert(0, urgent_message)
    elif reminder:
        result.insert(0, reminder)
    if safety_question is None:
        safety_question = is_safety_question(intent, text)
    if red_flag or safety_question:
        result.append(recommendation)
    return result


_QUESTION_START = re.compile(
    r"^\W*(?:is|are|am|can|could|does|do|did|will|would|should|what|whats|how|when|why|which|who|where|"
    r"may|might|any|anything)\b"
)
_AFTER_EFFECT_WORDS = re.compile(
    r"\b(?:bruis\w*|red|redness|pink\w*|puff\w*|swell\w*|swollen|sore\w*|tender\w*|ach\w*|"
    r"sting\w*|itch\w*|bumps?|marks?|dots?|points?)\b"
)
# A complaint beyond the normal after-effects: heat, fever, discharge, a change of colour, breathing,
# fainting, spreading, worsening... An alarm that rests on a classifier alone (no symptom rule matched)
# needs one of them: "had my first session yesterday", "I have eczema on my face" or "had meso this
# morning and my face is red" report nothing the guide does not call normal.
_COMPLAINT_WORDS = re.compile(
    r"\b(?:agony|throb\w*|burn\w*|hot|heat|fever\w*|temp|temperature|chill\w*|shiver\w*|shak\w*|sweat\w*|"
    r"pus|ooz\w*|discharg\w*|weep\w*|leak\w*|blister\w*|rash\w*|hives?|welts?|numb(?!er)\w*|tingl\w*|bleed\w*|"
    r"blood(?![\s-]?(?:thinn|pressure|sugar|tests?\b|work\b))\w*|lump\w*|hard\w*|knot\w*|nodules?|dark\w*|black\w*|blue\w*|gr[ae]y\w*|purple\w*|pale\w*|"
    r"white\w*|breath\w*|wheez\w*|swallow\w*|chok\w*|throat|tongue|dizz\w*|faint\w*|passed out|pass out|"
    r"collaps\w*|vomit\w*|throw\w* up|nause\w*|sick|headaches?|vision|spread\w*|streak\w*|infect\w*|"
    r"worse\w*|severe\w*|terrible|unbearable|huge|massive|wound\w*|scab\w*|crust\w*|smell\w*|stink\w*|"
    # a vague complaint: "something feels very wrong", "i feel awful", "not right"
    r"wrong|awful|horrible|unwell|not right|"
    # where the normal after-effects do not go: the lips, the mouth, the whole body
    r"lips?|mouth|all over|whole body|entire body|everywhere|keeps? (?:\w+ing)|raised)\b"
)

# "a small painless lump where they injected": a lump the visitor calls small is no complaint of its own; with
# another (hot, growing, hard and painful...) the alarm still rests on that one.
_SMALL_LUMP = re.compile(
    r"\b(?:small|tiny|little|slight|pea[\s-]?sized?|rice[\s-]?sized?)\s+(?:painless\s+|soft\s+)?"
    r"(?:lumps?|knots?|nodules?|bumps?)\b|\bpainless\s+(?:lumps?|knots?|nodules?|bumps?)\b"
)


def _names_a_complaint(normalised: str) -> bool:
    """Whether a normalised message names a complaint beyond the normal after-effects (a small lump is none)."""
    return bool(_COMPLAINT_WORDS.search(_SMALL_LUMP.sub(" ", normalised)))


def _intent_alarm(text: str) -> bool:
    """When the classifier said report_red_flag but no red-flag pattern matched: raise the alarm
    anyway unless the message is a question, only describes the normal after-effects the guide
    describes, negates its symptoms or names no complaint at all (the patterns miss no red flag of the
    labelled set; the intent alone raised false alarms on "is there an age where it's not safe
    anymore?" and "I had my session last week and I'm really happy")."""
    normalised = _normalise(text)
    if not normalised.strip() or normalised.lstrip().startswith("/"):
        return True
    if "?" in normalised or _QUESTION_START.search(normalised):
        return False
    if _ASKS_WHETHER_TO_HAVE_IT.search(normalised) and not _A_TREATMENT_HAD.search(normalised):
        return False  # someone's health before any treatment: who should not have it
    if not _reports_rather_than_asks(normalised):
        return False  # "worried about blood loss during meso": a worry, no report
    if _AFTER_EFFECT_WORDS.search(normalised) or _NEGATOR.search(normalised):
        return False
    return _names_a_complaint(normalised)
