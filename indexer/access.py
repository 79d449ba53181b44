"""Who may read a document, as the corpus folder says it: the sidecar's
``access`` and ``groups`` keys, else the folder's ``_access.toml``, else
nothing (the deployment's default, settled by the server).

Fails closed: an access setting that cannot be read or makes no sense
restricts the document to administrators, and says why. A typo must never
open a "Mật" document to everyone.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analyzers.datafiles import DataFileError, load_toml

ACCESS_FILE = "_access.toml"
PUBLIC, INTERNAL, RESTRICTED = "public", "internal", "restricted"
LEVELS = (PUBLIC, INTERNAL, RESTRICTED)
KEYS = ("access", "groups")  # read here, not as metadata
GROUP_NAME = re.compile(r"[\w.-]{1,64}")


@dataclass(frozen=True)
class Access:
    level: str = ""  # "" when nothing says: the deployment's default applies
    groups: tuple[str, ...] = ()
    source: str = ""  # "sidecar", ACCESS_FILE, or "" when unset
    problems: list[str] = field(default_factory=list, compare=False)

    def entry(self) -> dict:
        """The catalog's fields for it."""
        return {"access": self.level, "groups": list(self.groups), "access_source": self.source}


def checked(values: dict, where: str) -> Access:
    """The access ``values`` give (keys ``access``, ``groups``), checked.
    Raises ValueError naming ``where`` and the key."""
    level = values.get("access")
    groups = values.get("groups", [])
    if level is None:
        if "groups" in values:
            raise ValueError(f"{where}: có 'groups' nhưng thiếu access = \"restricted\"")
        return Access()
    if level not in LEVELS:
        raise ValueError(f"{where}: 'access' phải là một trong {', '.join(LEVELS)}, không phải {level!r}")
    if not isinstance(groups, list) or not all(isinstance(g, str) and GROUP_NAME.fullmatch(g) for g in groups):
        raise ValueError(f"{where}: 'groups' phải là danh sách tên nhóm (chữ, số, . _ -), không phải {groups!r}")
    if level == RESTRICTED and not groups:
        raise ValueError(f"{where}: access = \"restricted\" cần groups = [\"tên nhóm\", …]")
    if level != RESTRICTED and groups:
        raise ValueError(f"{where}: 'groups' chỉ dùng với access = \"restricted\"")
    return Access(level, tuple(sorted(set(groups))), where)


def closed(problem: str) -> Access:
    """Administrators only: what an unreadable setting leaves."""
    return Access(RESTRICTED, (), "lỗi", [f"{problem}; chỉ quản trị viên đọc được văn bản này"])


def folder_access(folder: Path) -> Access:
    """The default of the files in ``folder``, from its ACCESS_FILE (read once
    while it stays the same: every file of the folder asks)."""
    path = folder / ACCESS_FILE
    try:
        found = path.stat()
    except OSError:
        return Access()
    if not stat.S_ISREG(found.st_mode):
        return Access()
    return _read_folder_access(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=256)
def _read_folder_access(path: Path, mtime_ns: int, size: int) -> Access:
    try:
        values = load_toml(path)
        unknown = sorted(set(values) - set(KEYS))
        if unknown:
            raise ValueError(f"{ACCESS_FILE}: không có khóa {', '.join(map(repr, unknown))} (các khóa: access, groups)")
        access = checked(values, ACCESS_FILE)
    except (DataFileError, ValueError) as error:
        return closed(str(error))
    return access


def document_access(sidecar_values: dict | None, sidecar_name: str, folder: Access, sidecar_error: str = "") -> Access:
    """The sidecar's setting if it has one, else the folder's. A sidecar that
    cannot be read may have held one: then nobody but administrators."""
    if sidecar_error:
        return closed(sidecar_error)
    if sidecar_values and any(key in sidecar_values for key in KEYS):
        try:
            return checked({k: sidecar_values[k] for k in KEYS if k in sidecar_values}, sidecar_name)
        except ValueError as error:
            return closed(str(error))
    return folder
