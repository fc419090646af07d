"""The one document pipeline: claim → number → render → store → deliver, exactly once.

Each kind of document (the summary report today; the commendation list next) is
data in `kinds.py`: how its inputs are gathered and fingerprinted, how its model
is built, its template, file name and number series. `pipeline.py` knows nothing
of any particular kind. Imported only by the compile schedule and the CLI: it
loads the renderer, and WeasyPrint only when a PDF is actually rendered.
"""
