"""Paths named inside a spec or case folder must stay inside it, links and all.

A spec or case folder may come from someone else, so its files are not trusted to
point where their names say: ``evidence/photos/a.jpg`` leaves the folder when
``evidence/photos`` is a symbolic link to ``/home``. Every component is followed
in turn, so neither a linked file nor a linked folder anywhere in the path can lead
out of the folder. Links that stay inside it are fine.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from bundler.errors import BadInput


def inside(folder: Path, relative: str, *, shown: str | None = None,
           where: str = "the spec's folder") -> Path:
    """``folder / relative``, after checking that following it never leaves ``folder``.

    ``relative`` is a path as the records write it (forward slashes); ``shown`` names
    it in messages (default: ``relative``), ``where`` names the folder. A path that
    does not exist (yet) is returned as it is: the caller reports a missing file.
    Raises BadInput naming the link that leads out, or a loop of links.
    """
    shown = relative if shown is None else shown
    posix = PurePosixPath(relative.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", relative):
        raise BadInput(f"{shown}: is not a path inside {where}",
                       "Give the path relative to the folder, e.g. evidence/notes.txt.")
    parts = [part for part in posix.parts if part != "."]
    try:
        root = folder.resolve()
        current = root
        for index, part in enumerate(parts):
            step = current / part
            if part == ".." or step.is_symlink():
                step = step.resolve()
                if not step.is_relative_to(root):
                    link = "/".join(parts[: index + 1])
                    what = "'..'" if part == ".." else f"{link} is a symbolic link that"
                    raise BadInput(
                        f"{shown}: leads outside {where} ({what} leads out of it)",
                        f"Copy the file itself into {where} and name the copy.",
                    )
            current = step
    except (OSError, RuntimeError) as exc:  # a loop of links; a folder that cannot be read
        raise BadInput(
            f"{shown}: cannot be followed inside {where} ({exc.__class__.__name__})",
            "Replace the symbolic links in its path with the files and folders themselves.",
        ) from exc
    return folder.joinpath(*parts)
