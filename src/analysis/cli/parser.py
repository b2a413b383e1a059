"""The arguments of `python -m analysis`, their help in Vietnamese (the option names stay English), and argparse's
own words ("usage:", "the following arguments are required") said in Vietnamese while the parser runs."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from analysis.cli import commands as c
from analysis.core.periods import Quarter
from analysis.core.workers import positive_int

WORKSPACE_HELP = (
    "thư mục làm việc của cơ quan (config/, data/, reports/); mặc định: thư mục làm việc chứa thư mục hiện tại"
)
QUARTER_HELP = 'kỳ báo cáo, ví dụ 2021Q3, Q3/2021, III/2021 hoặc "quý III/2021"'
QUARTER_FORMS_HELP = "chỉ các biểu mẫu của phiên bản áp dụng cho kỳ này (ví dụ 2024Q2); mặc định: mọi phiên bản"
JOBS_HELP = "số {what} chạy song song, từ 1 (mặc định và tối đa: số lõi của máy, ít hơn khi thiếu bộ nhớ)"
PROCESSED_HELP = "thư mục bảng số liệu đã xử lý (mặc định: data/processed)"

# argparse's own messages (Python 3.11–3.13 wording); a message not listed stays English
ARGPARSE_VI = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "tham số bắt buộc",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có lựa chọn %(value)r (chọn: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần ghi một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn chưa rõ: %(option)s có thể là %(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
}


@contextlib.contextmanager
def vietnamese_argparse() -> Iterator[None]:
    """argparse's messages in Vietnamese for the duration (argparse looks its `_` up at each message)."""
    english = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda text: ARGPARSE_VI.get(text, english(text))  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = english  # type: ignore[attr-defined]


def quarter_arg(text: str) -> str:
    """argparse type of `--quarter`: any spelling a person types ("quý III/2021", "Q3/2021"), as its label (2021Q3)."""
    try:
        return Quarter.from_user(text).label
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    with vietnamese_argparse():
        return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    with vietnamese_argparse():  # the help titles are made when the parsers are
        return _build_parser()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description=(
            "Số liệu báo cáo quý: mẫu biểu cho đơn vị, đọc các tệp báo cáo của đơn vị, lập báo cáo của quý (trang "
            "HTML, Excel, Word), đoạn văn dự thảo, từ điển dữ liệu. Mỗi lệnh có hướng dẫn riêng: "
            "python -m analysis LỆNH --help"
        ),
    )
    parser.add_argument("--workspace", type=Path, help=WORKSPACE_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH", title="các lệnh")
    common = argparse.ArgumentParser(add_help=False)  # --workspace after the command too
    common.add_argument("--workspace", type=Path, default=argparse.SUPPRESS, help=WORKSPACE_HELP)

    p = sub.add_parser("init", help="tạo thư mục làm việc: cấu hình mẫu, thư mục dữ liệu, sổ tay")
    p.add_argument("folder", type=Path, help="thư mục làm việc mới (tạo nếu chưa có)")
    p.add_argument("--update-notebooks", action="store_true", help="chép lại các sổ tay (notebook) của chương trình")
    p.set_defaults(func=c.cmd_init)

    p = sub.add_parser("template", parents=[common], help="tạo tệp mẫu biểu báo cáo cho một đơn vị, một kỳ")
    p.add_argument("--unit", required=True, help="mã đơn vị trong config/units.yaml, ví dụ tp_minh_son")
    p.add_argument("--quarter", required=True, type=quarter_arg, help=QUARTER_HELP)
    p.add_argument("--out", type=Path, help="tệp .xlsx ghi ra (mặc định: mau-bao-cao-KỲ-ĐƠNVỊ.xlsx)")
    p.add_argument(
        "--layout",
        choices=("one-column", "official"),
        default="one-column",
        help="one-column: mẫu một cột số liệu của chương trình (mặc định); official: các biểu có cột đánh số như "
        "thông tư in (01/TCD …), các biểu khác một cột",
    )
    p.set_defaults(func=c.cmd_template)

    p = sub.add_parser(
        "indicators", parents=[common], help="in danh mục chỉ tiêu, kèm trang tính và ô của từng chỉ tiêu trong mẫu"
    )
    p.add_argument("--format", choices=["csv", "table"], default="table", help="csv hoặc bảng (mặc định: table)")
    p.add_argument("--quarter", type=quarter_arg, help=QUARTER_FORMS_HELP)
    p.set_defaults(func=c.cmd_indicators)

    p = sub.add_parser("dictionary", parents=[common], help="ghi từ điển dữ liệu (Markdown) lập từ danh mục chỉ tiêu")
    p.add_argument("--out", type=Path, help="tệp .md ghi ra (mặc định: in ra màn hình)")
    p.add_argument("--quarter", type=quarter_arg, help=QUARTER_FORMS_HELP)
    p.set_defaults(func=c.cmd_dictionary)

    p = sub.add_parser("ingest", parents=[common], help="đọc mọi tệp báo cáo trong --raw thành bảng số liệu ở --out")
    p.add_argument("--raw", type=Path, help="thư mục tệp báo cáo của đơn vị, xếp tùy ý (mặc định: data/raw)")
    p.add_argument("--out", type=Path, help=PROCESSED_HELP)
    p.add_argument("--strict", action="store_true", help="thoát với mã khác 0 khi còn lỗi trong số liệu")
    p.add_argument("--full", action="store_true", help="đọc lại mọi tệp, không dùng kết quả lần trước")
    p.add_argument("--jobs", type=positive_int, help=JOBS_HELP.format(what="tệp đọc"))
    p.set_defaults(func=c.cmd_ingest)

    p = sub.add_parser("report", parents=[common], help="lập báo cáo của quý: sổ tay, trang HTML, biểu đồ, index.html")
    p.add_argument("--quarter", required=True, type=quarter_arg, help=QUARTER_HELP)
    p.add_argument("--out", type=Path, help="thư mục báo cáo (mặc định: reports); ghi vào OUT/KỲ/")
    p.add_argument("--raw", type=Path, help="thư mục tệp báo cáo (mặc định: data/raw); đọc lại khi có thay đổi")
    p.add_argument("--processed", type=Path, help=PROCESSED_HELP)
    p.add_argument("--unit", help="chỉ trang của đơn vị này (mã đơn vị), cùng các trang của tỉnh")
    p.add_argument("--jobs", type=positive_int, help=JOBS_HELP.format(what="sổ tay"))
    p.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    p.set_defaults(func=c.cmd_report)

    p = sub.add_parser("publish", parents=[common], help="chốt số liệu của một quý như báo cáo đã được ký ban hành")
    p.add_argument("--quarter", required=True, type=quarter_arg, help=QUARTER_HELP + " (báo cáo của kỳ đã được lập)")
    p.add_argument("--note", default="", help="ghi chú lưu kèm (ví dụ số báo cáo và người ký)")
    p.add_argument("--date", type=date.fromisoformat, help="ngày ký, dạng NĂM-THÁNG-NGÀY (mặc định: hôm nay)")
    p.add_argument("--processed", type=Path, help=PROCESSED_HELP)
    p.add_argument("--replace", action="store_true", help="thay lần công bố trước (bản cũ giữ trong .replaced/)")
    p.set_defaults(func=c.cmd_publish)

    p = sub.add_parser("narrative", parents=[common], help="in các đoạn văn dự thảo của báo cáo quý")
    p.add_argument("--quarter", required=True, type=quarter_arg, help=QUARTER_HELP)
    p.add_argument("--exact", action="store_true", help="số chính xác (mặc định: làm tròn như khi nói, 'trên 7.000')")
    p.add_argument("--processed", type=Path, help=PROCESSED_HELP)
    p.set_defaults(func=c.cmd_narrative)

    p = sub.add_parser("demo", parents=[common], help="tạo lại tệp báo cáo của tỉnh mẫu (giả định, lần nào cũng vậy)")
    p.add_argument("--out", type=Path, help="thư mục ghi ra (mặc định: data/raw/demo); với hoa-giang: thư mục làm việc")
    p.add_argument(
        "--province",
        choices=["minh-son", "hoa-giang"],
        default="minh-son",
        help="minh-son: tỉnh mẫu năm 2021 (tệp báo cáo); hoa-giang: tỉnh mẫu sau sắp xếp 2025 (cả thư mục làm việc)",
    )
    p.add_argument("--scale", help="một cỡ tỉnh nhỏ hơn trong mục 'scales' của kịch bản (hoa-giang: small)")
    p.set_defaults(func=c.cmd_demo)

    p = sub.add_parser("units", help="các đơn vị báo cáo: bảng chuyển đổi xã cũ sang xã mới")
    units = p.add_subparsers(dest="units_command", required=True, metavar="LỆNH_CON", title="các lệnh con")
    q = units.add_parser(
        "import-crosswalk",
        parents=[common],
        help="lập config/crosswalk.yaml từ bảng chuyển đổi đơn vị hành chính cấp xã năm 2025 (CSV/XLSX)",
    )
    q.add_argument("file", type=Path, help="bảng chuyển đổi: tỉnh cũ, huyện cũ, xã cũ; xã mới")
    q.add_argument("--out", type=Path, help="tệp YAML ghi ra (mặc định: config/crosswalk.yaml của thư mục làm việc)")
    q.set_defaults(func=c.cmd_import_crosswalk)
    return parser
