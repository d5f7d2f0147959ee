"""Rebuild seed_data/areas/binh_thuan.json from the PyPI package vietnamadminunits (MIT).

    .venv/bin/pip install -e '.[seedbuild]'
    .venv/bin/python seed_data/build_areas.py

The package ships the GSO list of administrative units (names, codes, unit types) with one
geocoded point per commune, and the mapping of the 1 July 2025 reorganisation. We keep the
facts only: codes, names, unit types, the point, and the successor codes.
"""

import json
import sqlite3
import unicodedata
from importlib import metadata, resources
from pathlib import Path

PROVINCE_CODE = "60"
OUT = Path(__file__).parent / "areas" / "binh_thuan.json"
TYPE_EN = {
    "Tỉnh": "Province",
    "Thành phố": "City",
    "Thị xã": "Town",
    "Huyện": "District",
    "Phường": "Ward",
    "Thị trấn": "Township",
    "Xã": "Commune",
    "Đặc khu": "Special Zone",
}


def ascii_name(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def english(short: str, unit_type: str) -> str:
    return f"{ascii_name(short)} {TYPE_EN.get(unit_type, '')}".strip()


def main() -> None:
    data = resources.files("vietnamadminunits") / "data"
    db = sqlite3.connect(str(data / "dataset.db"))
    db.row_factory = sqlite3.Row
    rows = db.execute(
        "SELECT * FROM admin_units_legacy WHERE provinceCode = ? ORDER BY districtCode, wardCode",
        (PROVINCE_CODE,),
    ).fetchall()
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    # new ward key -> new ward code, within Lâm Đồng (which absorbed Bình Thuận)
    new_codes = {
        r["wardKey"]: r["wardCode"]
        for r in db.execute("SELECT wardKey, wardCode FROM admin_units WHERE provinceCode = '68'")
    }
    undivided = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhlamdong"]
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get("tinhlamdong", {})
    successors: dict[str, list[str]] = {}
    for new_key, old_keys in undivided.items():
        for old in old_keys:
            successors.setdefault(old, []).append(new_codes[new_key])
    for old, targets in divided.items():
        successors[old] = [new_codes[t["newWardKey"]] for t in targets]

    first = rows[0]
    province = {
        "code": PROVINCE_CODE,
        "name": first["province"],
        "name_en": english(first["provinceShort"], "Tỉnh"),
        "unit_type": "Tỉnh",
        "valid_to": "2025-06-30",
        "successor_codes": ["68"],
    }
    districts: dict[str, dict] = {}
    for r in rows:
        d = districts.setdefault(
            r["districtCode"],
            {
                "code": r["districtCode"],
                "name": r["district"],
                "name_en": english(r["districtShort"], r["districtType"]),
                "unit_type": r["districtType"],
                "valid_to": "2025-06-30",
                "communes": [],
            },
        )
        old_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        d["communes"].append(
            {
                "code": r["wardCode"],
                "name": r["ward"],
                "name_en": english(r["wardShort"], r["wardType"]),
                "unit_type": r["wardType"],
                "lat": round(r["wardLat"], 6),
                "lon": round(r["wardLon"], 6),
                "valid_to": "2025-06-30",
                "successor_codes": sorted(set(successors.get(old_key, []))),
            }
        )
    out = {
        "source": {
            "package": f"vietnamadminunits {metadata.version('vietnamadminunits')} (MIT)",
            "facts": "GSO names, codes and unit types; one geocoded point per commune "
            "(not a centroid); successor units of the 1 July 2025 reorganisation",
            "built_by": "seed_data/build_areas.py",
        },
        "province": province,
        "districts": list(districts.values()),
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = sum(len(d["communes"]) for d in out["districts"])
    communes = [c for d in out["districts"] for c in d["communes"]]
    missing = [c["code"] for c in communes if not c["successor_codes"]]
    print(f"wrote {OUT}: {len(districts)} districts, {n} communes; no successor: {missing}")


if __name__ == "__main__":
    main()
