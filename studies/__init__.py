"""One script per result of the paper (and beyond); each writes netCDF and PNG.

Run one as `python studies/NAME.py -o DIR` or `mtjphys study NAME -o DIR`.
"""
