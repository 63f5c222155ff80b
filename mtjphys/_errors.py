"""The error users see: one line, no traceback."""


class MtjphysError(Exception):
    """A problem with the user's input (parameters, files, options), reported as one line."""
