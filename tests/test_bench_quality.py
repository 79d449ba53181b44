"""The ranking-quality benchmark's ALQAC indexes, on two made-up laws: the
benchmark data is never in the repository, so this keeps its code running."""

import json

from bench.ranking_quality import alqac_indexes, compare
from search_app.evaluate import JudgedQuery, summarise

LAWS = [
    {"id": "luat-a", "articles": [
        {"id": "1", "text": "Phạm vi điều chỉnh\nLuật này quy định về bảo vệ rừng phòng hộ."},
        {"id": "2", "text": "Giải thích từ ngữ\nKhông gian mạng là mạng lưới kết nối hạ tầng thông tin."},
    ]},
    {"id": "luat-b", "articles": [
        {"id": "1", "text": "Đối tượng áp dụng\nLuật này áp dụng đối với đồng bào dân tộc thiểu số."},
    ]},
]


def test_whole_articles_are_searched_by_the_project_and_the_baselines(tmp_path):
    law = tmp_path / "law.json"
    law.write_text(json.dumps(LAWS, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "project").mkdir()
    (tmp_path / "baseline").mkdir()
    project, baseline = alqac_indexes(law, tmp_path)
    queries = [JudgedQuery("không gian mạng là gì", ("luat-a#2",)), JudgedQuery("đồng bào dân tộc thiểu số", ("luat-b#1",))]
    rows = compare("made up", queries, project, baseline)
    found = {name: summarise(outcomes).recall_1 for _, name, outcomes in rows}
    assert found["tracuu"] == 1.0 and found["bm25-syllables"] == 1.0 and len(found) >= 3
