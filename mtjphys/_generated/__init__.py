"""Generated modules: written by `python -m codegen`, never edited by hand."""
