"""Reuse between builds, in one place: what an incremental build may keep from the last one.

`record` says which pages must be rendered again (what each page read, its plan's digest);
`store` keeps the caches beside the site (`.hindsight-cache/`), sealed with the code that
wrote them; `sheets` keeps the claim sheets read; `similar` the similar statements found;
`preview` what the live preview keeps in memory between its rebuilds. None is needed for a
correct build: each is checked before use and ignored when it does not match.
"""
