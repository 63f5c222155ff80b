"""Handwritten characters as periodic pen trajectories x(t), y(t).

A character file is a Make Me a Hanzi / hanzi-writer-data record: a JSON object whose `medians`
list the strokes, in stroke order, each as points [x, y] in a 1024 box with y pointing up. The
pen follows each stroke's median, then moves in a straight line (pen up) to the start of the
next stroke, and after the last stroke back to the first, so the path is closed; it moves at
constant speed along the whole path, once per period.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import pathlib

import numpy as np

from .._errors import MtjphysError

CHARACTER_PERIOD = 170e-9  # [s], the paper's period for writing the character


def builtin_character_path(name: str = "师") -> pathlib.Path:
    """Returns: the path of a character file shipped with mtjphys (with its licence beside it)."""
    path = importlib.resources.files("mtjphys.tasks") / "hanzi" / f"{name}.json"
    if not path.is_file():
        raise MtjphysError(f"no built-in character {name!r}")
    return pathlib.Path(str(path))


@dataclasses.dataclass(frozen=True)
class Character:
    """A character's strokes (in stroke order) as (K_i, 2) arrays in the file's coordinates.

    Arguments:
        name: for labels (the file's stem).
        strokes: the stroke medians, y pointing up.
    """

    name: str
    strokes: tuple[np.ndarray, ...]

    @property
    def bounding_box(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) of the strokes."""
        points = np.concatenate(self.strokes)
        return (*points.min(axis=0), *points.max(axis=0))

    def normalized(self) -> Character:
        """The strokes centred on the bounding box and scaled so its longer side spans [-0.9, 0.9]."""
        x0, y0, x1, y1 = self.bounding_box
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        scale = 1.8 / max(x1 - x0, y1 - y0)
        return Character(self.name, tuple((s - centre) * scale for s in self.strokes))

    @property
    def diagonal(self) -> float:
        x0, y0, x1, y1 = self.bounding_box
        return float(np.hypot(x1 - x0, y1 - y0))

    def path(self) -> tuple[np.ndarray, np.ndarray]:
        """The closed pen path. Returns: (vertices (V, 2), pen_down (V - 1,) per segment)."""
        vertices, pen_down = [], []
        for stroke in self.strokes:
            if vertices:
                pen_down.append(False)  # the move to this stroke's start
            vertices.extend(stroke)
            pen_down.extend([True] * (len(stroke) - 1))
        vertices.append(self.strokes[0][0])  # back to the beginning
        pen_down.append(False)
        return np.asarray(vertices, dtype=float), np.asarray(pen_down)

    def trace(self, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pen position at `phase` (fractions of a period, any real values; periodic).

        Returns: (x, y, pen_down) arrays shaped like `phase`.
        """
        vertices, pen_down = self.path()
        lengths = np.hypot(*np.diff(vertices, axis=0).T)
        arc = np.concatenate([[0.0], np.cumsum(lengths)])
        position = np.mod(np.asarray(phase, dtype=float), 1.0) * arc[-1]
        segment = np.clip(np.searchsorted(arc, position, side="right") - 1, 0, len(lengths) - 1)
        along = np.where(lengths[segment] > 0, (position - arc[segment]) / np.where(lengths[segment] > 0,
                                                                                   lengths[segment], 1), 0.0)
        point = vertices[segment] + along[..., None] * (vertices[segment + 1] - vertices[segment])
        return point[..., 0], point[..., 1], pen_down[segment]


def load_character(path: str | pathlib.Path) -> Character:
    """Read a character file (see the module docstring); malformed files raise one line."""
    path = pathlib.Path(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MtjphysError(f"cannot read character file {str(path)!r}: {error.strerror or error}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MtjphysError(f"character file {str(path)!r} is not valid JSON: {error}")
    medians = record.get("medians") if isinstance(record, dict) else None
    if not isinstance(medians, list) or not medians:
        raise MtjphysError(f"character file {str(path)!r} has no 'medians' list of strokes")
    strokes = []
    for index, stroke in enumerate(medians):
        try:
            points = np.asarray(stroke, dtype=float)
        except (TypeError, ValueError):
            points = None
        if points is None or points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
            raise MtjphysError(f"character file {str(path)!r}: stroke {index} must be a list of at least two "
                               "[x, y] points")
        if not np.all(np.isfinite(points)):
            raise MtjphysError(f"character file {str(path)!r}: stroke {index} has non-finite coordinates")
        strokes.append(points)
    character = Character(path.stem, tuple(strokes))
    if character.diagonal == 0:
        raise MtjphysError(f"character file {str(path)!r}: all points coincide")
    return character
