"""Why a row was rejected, skipped or flagged, in Chinese and English.

A load stores a reason as a code and its parameters (``rejected_rows.reason_code``/``params``,
``flagged_rows``, the notes of ``load_batches.report``), so the command line and the API render it
in the reader's language whenever it is read. ``rejected_rows.reason`` also keeps the English
text, as it did before codes existed.
"""

from collections.abc import Mapping
from typing import Any, Final

LANGS: Final = ("zh", "en")

# code: (English, Chinese). Parameters in braces; ``field`` and ``crs`` are rendered as labels.
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # rejected rows
    "missing_name": ("missing name", "缺少名称"),
    "missing_role": ("missing role", "缺少角色"),
    "missing_adcode": ("missing adcode", "缺少行政区划代码"),
    "missing_geometry": ("missing geometry", "缺少几何图形"),
    "missing_coordinates": ("missing coordinates", "缺少坐标"),
    "missing_point": ("missing coordinates (no geometry)", "缺少坐标（没有几何图形）"),
    "note_columns": ("columns used: {pairs}", "使用的列：{pairs}"),
    "non_numeric_coordinates": (
        "non-numeric coordinates ('{x}', '{y}')",
        "坐标不是数字（'{x}'，'{y}'）",
    ),
    "swapped_coordinates": (
        "longitude and latitude look swapped ({x}, {y})",
        "经度和纬度似乎填反了（{x}, {y}）",
    ),
    "outside_china": (
        "outside China ({x}, {y}) in {system}",
        "坐标不在中国境内（{x}, {y}，{system}）",
    ),
    "outside_china_centre": (
        "outside China (centre {x}, {y}) in {system}",
        "图形不在中国境内（中心 {x}, {y}，{system}）",
    ),
    "not_a_point": (
        "geometry is a {geometry_type}, not a point",
        "几何图形是 {geometry_type}，不是点",
    ),
    "not_a_polygon": (
        "geometry is a {geometry_type}, not a polygon",
        "几何图形是 {geometry_type}，不是面",
    ),
    "unknown_word": (
        "unknown {field} '{value}' (use {allowed})",
        "无法识别的{field}「{value}」（可用：{allowed}）",
    ),
    "not_whole_number": (
        "{field} '{value}' is not a whole number ≥ 0",
        "{field}「{value}」不是非负整数",
    ),
    "not_a_number": ("{field} '{value}' is not a number ≥ 0", "{field}「{value}」不是非负数"),
    "not_a_date": ("{field} '{value}' is not a date", "{field}「{value}」不是日期"),
    "unknown_level": (
        "unknown level '{value}' (use {allowed})",
        "无法识别的级别「{value}」（可用：{allowed}）",
    ),
    "duplicate_id": (
        "duplicate {field} '{value}' (first at row {first_row})",
        "{field}「{value}」重复（首次出现在第 {first_row} 行）",
    ),
    "duplicate_record": (
        "repeats row {first_row}: no id, and the same name and address (add an id column if "
        "they differ)",
        "与第 {first_row} 行重复：没有编号，名称和地址也相同（如确为不同记录，请增加编号列）",
    ),
    "empty_after_repair": (
        "the polygon has no area left after repair (ST_MakeValid)",
        "修复（ST_MakeValid）后面积为零",
    ),
    "parent_not_loaded": (
        "parent area {parent} is not loaded: load it first or leave it empty",
        "上级区域 {parent} 尚未加载：请先加载，或留空",
    ),
    "number_too_large": (
        "{field} '{value}' is larger than {limit}, the most the database holds",
        "{field}「{value}」大于数据库能保存的最大值 {limit}",
    ),
    "nul_character": (
        "column '{column}' holds a NUL character (\\0), which text cannot hold",
        "「{column}」列含有 NUL 字符（\\0），文本中不能有",
    ),
    "too_long": (
        "{field} is {length} characters long, more than {limit}",
        "{field}长 {length} 个字符，超过上限 {limit}",
    ),
    "invisible_character": (
        "{field} holds the invisible character {char} (a direction override or zero-width "
        "mark), which can make it read as something else",
        "{field}含有不可见字符 {char}（方向控制符或零宽字符），可能使其看起来像别的名称",
    ),
    "id_not_exact": (
        "{field} {value} was saved by Excel as a number of more than 15 digits, which is not "
        "exact: format the column as text and enter the ids again",
        "{field} {value} 被 Excel 存为超过 15 位的数字，已不准确：请将该列设为文本后重新填写",
    ),
    # skipped rows
    "title_row": (
        "not data: a line above the table ({text})",
        "非数据：表格上方的标题或说明（{text}）",
    ),
    "total_row": ("not data: a total row ({text})", "非数据：合计行（{text}）"),
    "note_row": ("not data: a note ({text})", "非数据：注释或说明（{text}）"),
    "subheader_row": ("not data: a second header row ({text})", "非数据：第二行表头（{text}）"),
    # flagged values
    "count_unit": ("{field} '{value}' read as {read}", "{field}「{value}」读作 {read}"),
    "count_approximate": (
        "{field} '{value}' is approximate; read as {read}",
        "{field}「{value}」是约数，读作 {read}",
    ),
    "count_at_least": (
        "{field} '{value}' means at least {read}; read as {read}",
        "{field}「{value}」表示至少 {read}，读作 {read}",
    ),
    "count_range": (
        "{field} '{value}' is a range; read as its middle, {read}",
        "{field}「{value}」是范围，取中间值 {read}",
    ),
    "count_words": ("{field} '{value}' read as {read}", "{field}「{value}」读作 {read}"),
    "count_zero_word": ("{field} '{value}' read as 0", "{field}「{value}」读作 0"),
    "count_unknown_word": (
        "{field} '{value}' read as unknown (left empty)",
        "{field}「{value}」视为未知（留空）",
    ),
    "coordinate_dms": (
        "{field} '{value}' read as {read} degrees",
        "{field}「{value}」读作 {read} 度",
    ),
    "kind_from_name": (
        "{field} blank: read as {read} from '{value}'",
        "{field}为空：根据「{value}」识别为 {read}",
    ),
    "mixed_scripts": (
        "{field} '{value}' mixes Latin letters with Cyrillic or Greek ones that look alike: "
        "check it",
        "{field}「{value}」混用了外形相似的拉丁字母与西里尔或希腊字母：请核对",
    ),
    "defaulted": ("{field} blank: defaulted to {read}", "{field}为空：默认为 {read}"),
    "hours_not_understood": (
        "opening hours '{value}' not understood: kept as text, open_now unknown",
        "开放时间「{value}」无法识别：保留原文，无法判断是否开放",
    ),
    "amenities_unknown": (
        "amenity words not understood: {words} (kept in amenities_unknown)",
        "无法识别的服务设施：{words}（保留在 amenities_unknown）",
    ),
    "district_mismatch": (
        "the point lies outside {district}, the district its address names",
        "坐标点不在地址所写的{district}内",
    ),
    "district_mismatch_crs": (
        "the point lies outside {district}, the district its address names; read as {crs} it "
        "lies inside: looks like {crs}",
        "坐标点不在地址所写的{district}内；按 {crs} 解读则在区内：疑似 {crs} 坐标",
    ),
    "edit_kept": (
        "{field} was changed through the API at {edited_at}: kept '{stored}', the file says "
        "'{file}' (--overwrite-edits takes the file's)",
        "{field}已于 {edited_at} 通过接口修改：保留「{stored}」，文件为「{file}」"
        "（使用 --overwrite-edits 以文件为准）",
    ),
    "edit_overwritten": (
        "{field} changed through the API at {edited_at} ('{stored}') overwritten by the file's "
        "'{file}' (--overwrite-edits)",
        "{field}于 {edited_at} 通过接口修改的「{stored}」已被文件的「{file}」覆盖"
        "（--overwrite-edits）",
    ),
    "near_duplicate": (
        "{other_name} (source {other_source}, id {other_external_id}) has the same name "
        "{distance_m} m away: the same place twice?",
        "{other_name}（来源 {other_source}，编号 {other_external_id}）同名且相距 {distance_m} 米："
        "是否重复？",
    ),
    "suspended_missing": (
        "{name} is not in the file: suspended (--mode replace)",
        "{name} 不在文件中：已暂停（--mode replace）",
    ),
    # notes on the whole file
    "note_sheet": (
        "read sheet '{sheet}'; header at row {header_row}",
        "读取工作表「{sheet}」，表头在第 {header_row} 行",
    ),
    "note_header_row": ("header at row {header_row}", "表头在第 {header_row} 行"),
    "note_other_sheets": (
        "other sheets not loaded: {sheets} (--sheet NAME loads one)",
        "未加载的其他工作表：{sheets}（用 --sheet 名称 指定）",
    ),
    "note_skipped": (
        "{count} rows that are not data skipped ({kinds}): warmmap rejects BATCH_ID lists them",
        "跳过 {count} 行非数据（{kinds}）：warmmap rejects 批次号 可列出",
    ),
    "note_blank_rows": ("{count} blank rows skipped", "跳过 {count} 行空行"),
    "note_filled": (
        "merged cells of '{column}' filled down into rows {rows}",
        "「{column}」的合并单元格已向下填充到第 {rows} 行",
    ),
    "note_column": ("column '{column}' → {field}", "列「{column}」→ {field}"),
    "note_column_crs": (
        "column '{column}' → {field}, its header names {crs}",
        "列「{column}」→ {field}，表头注明 {crs}",
    ),
    "note_coordinates_split": (
        "column '{column}' split into longitude and latitude",
        "列「{column}」拆分为经度和纬度",
    ),
    "note_ignored": (
        "column '{column}' feeds no field: kept in each row's extra{hint}",
        "列「{column}」未对应任何字段：保存在 extra 中{hint}",
    ),
    "note_numbering": (
        "column '{column}' numbers the rows: not kept",
        "列「{column}」为序号：不保存",
    ),
    "note_annotation": (
        "column '{column}' is a note of a warmmap export: not kept",
        "列「{column}」是 warmmap 导出的注释：不保存",
    ),
    "note_absent": (
        "no column for {fields}: stored values are left alone, new rows take the defaults",
        "没有{fields}列：已有记录的值保持不变，新记录取默认值",
    ),
    "note_kinds_from_names": (
        "no kind column: kinds read from the names ({counts}; none: stored kinds kept, new "
        "records warm_station)",
        "没有类型列：根据名称识别类型（{counts}；none 表示无法识别：已有记录保持不变，"
        "新记录为 warm_station）",
    ),
    "note_kinds_from_brands": (
        "no kind column: kinds read from the brands or names ({counts}; none: stored kinds kept, "
        "new records other)",
        "没有类型列：根据品牌或名称识别类型（{counts}；none 表示无法识别：已有记录保持不变，"
        "新记录为 other）",
    ),
    "note_source": ("source '{source}' ({origin})", "数据来源「{source}」（{origin}）"),
    "note_crs_from_file": ("coordinate system {crs} ({origin})", "坐标系 {crs}（{origin}）"),
    "note_crs_suggestion": (
        "{outside} of {checked} points lie outside the district their address names; read as "
        "{crs} only {outside_alt} would: looks like {crs}; reload with --crs {crs_name}?",
        "{checked} 个点中有 {outside} 个不在地址所写的区县内；按 {crs} 解读只有 {outside_alt} 个："
        "疑似 {crs} 坐标，是否用 --crs {crs_name} 重新加载？",
    ),
    "note_district_mismatches": (
        "points outside the district their address names: {count} (warmmap flagged BATCH_ID)",
        "{count} 个点不在地址所写的区县内：warmmap flagged 批次号 可列出",
    ),
    "note_conflicts": (
        "{count} values changed through the API kept (--overwrite-edits takes the file's)",
        "保留了 {count} 处通过接口修改的值（--overwrite-edits 以文件为准）",
    ),
    "note_overwritten": (
        "{count} values changed through the API overwritten by the file",
        "{count} 处通过接口修改的值已被文件覆盖",
    ),
    "note_near_duplicates": (
        "{count} rows have a record of the same name within 50 m",
        "{count} 行在 50 米内有同名记录",
    ),
    "note_suspended": (
        "{count} stations of source '{source}' not in the file suspended (--mode replace)",
        "来源「{source}」中不在文件里的 {count} 个站点已暂停（--mode replace）",
    ),
}

_ORIGINS: Final = {
    "option": ("--source", "--source 指定"),
    "unit": ("the sheet's 填报单位", "表格的填报单位"),
    "file_name": ("the file's name", "文件名"),
    "crs_option": ("--crs", "--crs 指定"),
    "header": ("named by the headers", "表头注明"),
    "preamble": ("named above the table", "表格上方注明"),
}
FIELD_LABELS_ZH: Final = {
    "external_id": "编号", "name": "名称", "address": "地址", "lon": "经度", "lat": "纬度",
    "coordinates": "坐标", "kind": "类型", "amenities": "服务设施", "hours": "开放时间",
    "phone": "电话", "brand": "品牌", "riders": "骑手数", "adcode": "行政区划代码",
    "parent_adcode": "上级代码", "level": "级别", "scope_adcode": "所属社区",
    "organization": "单位", "role": "角色", "access": "进入方式", "capacity": "容纳人数",
    "area_m2": "面积", "status": "状态", "last_verified_at": "核验时间", "active": "在岗",
    "synthetic": "合成数据", "position": "位置", "district": "区县",
}  # fmt: skip
CRS_LABELS: Final = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09", "cgcs2000": "CGCS2000"}


def field_label(field: str, lang: str) -> str:
    """Return how a field is called in ``lang``."""
    return FIELD_LABELS_ZH.get(field, field) if lang == "zh" else field


def _labelled(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    values = {k: ("" if v is None else v) for k, v in params.items()}
    if "field" in values:
        values["field"] = field_label(str(values["field"]), lang)
    if "fields" in values and isinstance(values["fields"], list):
        values["fields"] = ("、" if lang == "zh" else ", ").join(
            field_label(str(f), lang) for f in values["fields"]
        )
    if "crs" in values:
        values.setdefault("crs_name", values["crs"])
        values["crs"] = CRS_LABELS.get(str(values["crs"]), values["crs"])
    if "origin" in values and values["origin"] in _ORIGINS:
        values["origin"] = _ORIGINS[values["origin"]][lang == "zh"]
    for key in ("words", "sheets"):
        if isinstance(values.get(key), list):
            values[key] = ("、" if lang == "zh" else ", ").join(str(w) for w in values[key])
    return values


def render(code: str, params: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """Return the reason ``code`` with ``params`` as one line in ``lang`` (``zh`` or ``en``).

    An unknown code renders as itself with its parameters, so nothing stored is unreadable.
    """
    params = params or {}
    templates = MESSAGES.get(code)
    if templates is None:
        details = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{code} ({details})" if details else code
    try:
        return templates[lang == "zh"].format_map(_labelled(params, lang))
    except (KeyError, IndexError, ValueError):
        return templates[lang == "zh"]


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of ``LANGS``; raise ValueError otherwise."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use zh or en")
    return lang
