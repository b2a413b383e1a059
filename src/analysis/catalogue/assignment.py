"""Which unit owes which forms (DHIS2's data-set assignment): by a unit's role or type, as province.yaml's
``forms_owed`` and ``roles`` say; a kind of unit not listed owes every area of its quarter's forms.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.catalogue.model import Catalogue
from analysis.core.config import ProvinceConfig


class AssignmentError(ValueError):
    """province.yaml's forms_owed names an area the catalogue does not have (message in Vietnamese)."""


def owed_areas(
    catalogue: Catalogue, province: ProvinceConfig | None, unit_code: str, unit_type: str
) -> tuple[str, ...]:
    """The area codes a unit owes, in catalogue order."""
    every = tuple(area.code for area in catalogue.areas)
    owed = province.areas_owed(unit_code, unit_type) if province is not None else None
    if owed is None:
        return every
    unknown = sorted(set(owed) - set(every))
    if unknown:
        kind = province.kind_of(unit_code, unit_type)
        raise AssignmentError(
            f"province.yaml, forms_owed.{kind}: không có lĩnh vực {', '.join(unknown)}; "
            f"các lĩnh vực: {', '.join(every)}"
        )
    return tuple(code for code in every if code in owed)


def owed_inputs(catalogue: Catalogue, areas: tuple[str, ...]) -> int:
    """How many figures the forms of `areas` ask for (their input indicators)."""
    return sum(1 for item in catalogue.input_indicators() if item.area in areas)


def check_assignment(catalogue: Catalogue, province: ProvinceConfig, unit_codes: Iterable[str]) -> None:
    """province.yaml's roles name units of the registry and kinds of forms_owed; forms_owed names known areas."""
    codes, kinds = set(unit_codes), {kind for kind, _ in province.forms_owed}
    for code, role in province.roles:
        if code not in codes:
            raise AssignmentError(f"province.yaml, roles: không có đơn vị mã {code!r} trong units.yaml")
        if role not in kinds:
            raise AssignmentError(f"province.yaml, roles.{code}: vai trò {role!r} không có trong forms_owed")
    every = {area.code for area in catalogue.areas}
    for kind, areas in province.forms_owed:
        unknown = sorted(set(areas) - every)
        if unknown:
            raise AssignmentError(f"province.yaml, forms_owed.{kind}: không có lĩnh vực {', '.join(unknown)}")
