"""Extraction: from an article's plain text to a claim sheet.

The stages, in order: `articles` (read the seed text), `language` (parse it with spaCy),
`quotes` (who-said-what), `speakers` (who they are), `dates` (when it was said), `topics`
(questions and kinds), `claims` (the stages put together for one article) and `sheets`
(merge into the archive without losing an editor's work). `hindsight extract` is the edge
that reads and writes files.
"""
