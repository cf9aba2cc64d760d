"""The explorer's pure parts: figures, tables and scenario edits for ``app.py``.

Everything here takes a Plan, a Scenario or the Catalogue and returns plotly
figures, DataFrames or validated scenarios; nothing imports Streamlit, so each
function is tested without a browser and ``app.py`` stays a thin layer of widgets.
"""
