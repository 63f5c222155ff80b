"""Generated modules: written by `python -m mtjphys.codegen`, never edited by hand."""
