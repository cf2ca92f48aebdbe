"""Suggest the project a webinar question belongs to.

The event configuration gives every project a name, aliases and keywords (German). A question
is scored against them after a small German normalisation (`words`):

* casefold, umlauts spelled out (ä → ae, ß → ss), accents dropped, and for matching the
  spelled-out umlauts folded once more (ae → a) so that "Plätze"/"Platz", "Läden"/"Laden" and
  "Fahrpläne"/"Fahrplan" meet;
* hyphenated words are read both joined and in parts ("3D-Modell" → "3dmodell", "3d", "modell");
* a light suffix stemmer for inflections ("Sensoren" → "sensor", "Blinden" → "blind");
* compound parts: a keyword inside a longer word counts ("Paketstationen", "Elektroladesäulen");
  when several keywords fit one word, the longest wins ("Verkehrsdaten" is platform data, not
  traffic; "aufladen" is charging, not a shop);
* typos: rapidfuzz's ratio against the keywords for words that match nothing exactly.

Each keyword counts once per question, weighted by how many projects share it; aliases and
project names weigh more (an explicit project name is the strongest evidence), the general
block's keywords less (it is the fallback anyway) (`keywords`). Below a minimum of evidence
the general block is suggested. `Tagger.learn` records the words of questions a moderator
confirmed, so they weigh towards that project for the rest of the event (`tagger`).

With a sentence encoder (`set_meaning`), a question's vector adds evidence by meaning
(`meaning`): its cosine with each project's description and keywords, and with the
questions already confirmed for that project. "Paketboxen" then finds "Lokale Logistik"
without being a keyword.

Pure Python apart from rapidfuzz (in `keywords`) and numpy: no I/O.
"""

from moderator.domain.tagging.keywords import MAX_TEXT_CHARS
from moderator.domain.tagging.tagger import Tagger, TagSuggestion
from moderator.domain.tagging.words import normalize_tokens

__all__ = ["MAX_TEXT_CHARS", "TagSuggestion", "Tagger", "normalize_tokens"]
