"""Hindsight: a static-site generator for fact-check archives.

Pipeline: seeds/*.txt -> extraction -> content/**.yaml -> readers -> validation ->
contents -> linking -> pages -> site/ -> search index.
"""

__version__ = "0.1.0"
