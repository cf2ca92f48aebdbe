"""Evidence by meaning, when a sentence encoder is there: a question's vector against each
project's description and keywords, and against the questions already confirmed for that
project (the closest `_MEANING_NEIGHBOURS`), centred over the projects and weighted by
`_MEANING` (chosen on the dev split with `scripts/eval_tagging.py --embedder e5`).
"Paketboxen" then finds "Lokale Logistik" without being a keyword."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from moderator.domain.models import Project

# Evidence by meaning: the centred cosines times this.
_MEANING = 22.5
_MEANING_NEIGHBOURS = 3  # confirmed questions a project's learned similarity averages
_MEANING_LEARNED = 500  # vectors kept per project (the newest)


def project_text(project: Project) -> str:
    """What a project's meaning vector is made of: its name, description and keywords."""
    return f"{project.name}: {project.description} {', '.join(project.keywords)}".strip()


class MeaningEvidence:
    """The projects' meaning vectors (`set_prototypes`) and the vectors of the questions
    confirmed for each of `count` projects (`learn`)."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._prototypes: npt.NDArray[np.float32] | None = None
        self._learned_vectors: list[list[npt.NDArray[np.float32]]] = [[] for _ in range(count)]

    def set_prototypes(self, prototypes: npt.ArrayLike) -> None:
        """Unit vectors of `project_text` for every project, in the tagger's order."""
        matrix = np.asarray(prototypes, dtype=np.float32)
        if matrix.shape[0] != self._count:
            raise ValueError("one vector per project is needed")
        self._prototypes = matrix

    @property
    def ready(self) -> bool:
        return self._prototypes is not None

    def add(self, scores: list[float], vector: npt.NDArray[np.float32]) -> None:
        """Add the meaning evidence of a question's unit `vector` to `scores`."""
        assert self._prototypes is not None
        cos = self._prototypes @ vector
        for i, learned in enumerate(self._learned_vectors):
            if learned:
                near = np.sort(np.asarray(learned) @ vector)[-_MEANING_NEIGHBOURS:]
                cos[i] = max(cos[i], float(near.mean()))
        for i, value in enumerate((cos - cos.mean()) * _MEANING):
            scores[i] += float(value)

    def learn(self, project: int, vector: npt.ArrayLike) -> None:
        """Keep the vector of a question confirmed for `project` (the newest
        `_MEANING_LEARNED` per project)."""
        kept = self._learned_vectors[project]
        kept.append(np.asarray(vector, dtype=np.float32))
        del kept[:-_MEANING_LEARNED]
