"""Legacy encodings (analyzers.legacy): TCVN3 and VNI text files detected and
converted, everything else left alone; .docx runs in legacy fonts converted."""

import random
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from analyzers.legacy import (
    TCVN3,
    VNI,
    convert_run,
    decode_legacy,
    encode_legacy,
    font_encoding,
    is_syllable,
    tables,
)
from analyzers.normalize import nfc, normalize_syllable

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SAMPLES = sorted(CORPUS.glob("*.txt"))

# The Vietnamese alphabet, built here from its parts rather than read from
# the tables under test.
_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
VIET_LOWER = {nfc(base + tone) for base in "aăâeêioôơuưy" for tone in _TONES} | {"đ"}
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"  # the only capitals TCVN3 has besides ASCII
# Windows-1252's characters in 0x80–0x9F: curly quotes, dashes, ellipsis…
CP1252_HIGH = {bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xA0)} - {""}
# The Latin-1 letters VNI spends on marks and single letters.
VNI_CHARACTERS = set("ùøûõïâáàåãäêéèúüëôöñíìæóòî" + "ÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜËÔÖÑÍÌÆÓÒÎ")


def tcvn3_survivor(ch: str) -> str:
    """What becomes of one character written in TCVN3 and read back."""
    if ch.isascii() or ch in VIET_LOWER or ch in TCVN3_CAPITALS or ch == "\xa0" or ch in CP1252_HIGH:
        return ch
    if ch.lower() in VIET_LOWER:
        return ch.lower()  # an accented capital: the lower-case code, as .VnTimeH writes it
    return "?"


def vni_survivor(ch: str) -> str:
    if ch.isascii() or ch.lower() in VIET_LOWER:
        return ch
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return "?"
    return "?" if ch in VNI_CHARACTERS else ch


def expected(text: str, survivor) -> str:
    """The original as decode_legacy must give it back: NFC, the characters
    the encoding cannot hold replaced, the project's tone placement."""
    return normalize_syllable(nfc("".join(map(survivor, nfc(text)))))


# --- The tables ---------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv (glibc) not installed")
def test_tcvn3_table_is_iconvs_above_0xa0_and_windows_1252_below():
    table = tables().tcvn3_bytes
    for byte in range(0x80, 0x100):
        if byte >= 0xA0:
            result = subprocess.run(
                ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([byte]), capture_output=True, check=True
            )
            assert table[byte] == result.stdout.decode("utf-8"), hex(byte)
        else:
            # iconv's VN1 has capitals here; the ABC (VN3) fonts are Windows fonts.
            assert table[byte] == bytes([byte]).decode("cp1252", "ignore") or table[byte] == chr(byte)


def test_tcvn3_abc_codes():
    table = tables().tcvn3_bytes
    abc = {
        "¸": "á", "µ": "à", "¶": "ả", "·": "ã", "¹": "ạ", "¨": "ă", "©": "â", "®": "đ", "ª": "ê", "«": "ô",
        "¬": "ơ", "\xad": "ư", "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
        "Õ": "ế", "Ë": "ậ", "ñ": "ủ", "Ø": "ỉ", "ê": "ờ", "þ": "ỵ",
    }
    for code, letter in abc.items():
        assert table[ord(code)] == letter, code
    # Every lower-case letter and the seven capitals have a code of their own.
    letters = set(table.values())
    assert (VIET_LOWER - set("aeiouy")) | set(TCVN3_CAPITALS) <= letters


def test_vni_table_follows_the_vni_windows_layout():
    tone = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
    circumflex = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
    breve = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
    i_tone = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
    layout = {"đ": "ñ", "ơ": "ô", "ư": "ö", "ỵ": "î"}
    for t in _TONES[1:]:
        for base in "aeouy":
            layout.setdefault(nfc(base + t), base + tone[t])
        layout[nfc("ơ" + t)] = "ô" + tone[t]
        layout[nfc("ư" + t)] = "ö" + tone[t]
        layout[nfc("i" + t)] = i_tone[t]
    for t in _TONES:
        for base in "aeo":
            layout[nfc(base + "\u0302" + t)] = base + circumflex[t]
        layout[nfc("a\u0306" + t)] = "a" + breve[t]
    layout.update({letter.upper(): spelled.upper() for letter, spelled in layout.items()})
    assert tables().vni_encode == layout
    assert len(layout) == 134


# --- Detection and round trips ------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_sample_documents_round_trip(sample, encoding):
    original = sample.read_text(encoding="utf-8")
    data = encode_legacy(original, encoding)
    assert data.decode("latin-1") != original
    result = decode_legacy(data)
    assert result is not None
    text, found = result
    assert found == encoding
    assert text == unicodedata.normalize("NFC", text)
    if encoding == TCVN3:
        # Accented capitals come back from the words around them; a capital
        # word-initial letter inside a sentence ("của Ủy ban") cannot. Apart
        # from those, the text is the original with the characters TCVN3
        # cannot hold replaced.
        kept = expected(original, lambda ch: ch if ch.lower() in VIET_LOWER else tcvn3_survivor(ch))
        lost = [(a, b) for a, b in zip(kept.split(), text.split()) if a != b]
        assert len(kept.split()) == len(text.split())
        assert text.lower() == kept.lower()
        assert all(a.lower() == b.lower() and sum(x != y for x, y in zip(a, b)) == 1 for a, b in lost), lost
        assert len(lost) <= 3
    else:
        assert text == expected(original, vni_survivor)
    if encoding == VNI:
        # VNI holds every character of the samples: the text comes back whole.
        assert text == normalize_syllable(nfc(original))


def test_tcvn3_capital_headings_come_back_in_capitals():
    # TCVN3 writes accented capitals with the lower-case codes: the words
    # around them say they were capitals.
    text, _ = decode_legacy(encode_legacy("KẾT LUẬN của Ban Thường vụ Tỉnh ủy về công tác dân vận", TCVN3))
    assert text == "KẾT LUẬN của Ban Thường vụ Tỉnh ủy về công tác dân vận"
    text, _ = decode_legacy(encode_legacy("BÁO CÁO\nKẾT QUẢ THỰC HIỆN NĂM 2023 TẠI HÀ GIANG\nĐà Nẵng, Ủy ban", TCVN3))
    assert text == "BÁO CÁO\nKẾT QUẢ THỰC HIỆN NĂM 2023 TẠI HÀ GIANG\nĐà Nẵng, ủy ban"


def test_line_ends_quotes_and_a_dos_end_of_file_mark():
    text = "“Thông báo” kết luận\r\ncủa Ban Thường vụ – Tỉnh ủy…\r\n"
    assert decode_legacy(encode_legacy(text, TCVN3) + b"\x1a") == (text, TCVN3)


def test_tone_placement_is_the_projects():
    text, _ = decode_legacy(encode_legacy("Hoá học, Tỉnh uỷ, hoà bình, thuỷ lợi", VNI))
    assert text == "Hóa học, Tỉnh ủy, hòa bình, thủy lợi"


WESTERN = {
    "fr": "Le comité régional s'est réuni à Lyon pour étudier la protection des forêts. Après un débat très "
    "animé, les élus ont décidé de créer un programme d'éducation à l'environnement destiné aux écoles. "
    "« Nous devons agir dès maintenant », a déclaré la présidente. Où en sommes-nous ? Voilà la question à "
    "laquelle le rapport répondra à la fin de l'année, après la fête de la Saint-Jean.",
    "de": "Die Gemeinde hat beschlossen, die Straßen im Ortskern zu erneuern. Über die Kosten wird im Ausschuss "
    "für Bauwesen beraten; die Bürgerinnen und Bürger können ihre Vorschläge bis März einreichen. Außerdem "
    "soll der Spielplatz vergrößert werden. Größere Änderungen müssen vom Gemeinderat genehmigt werden.",
    "es": "El ayuntamiento aprobó ayer el plan de gestión de residuos para el próximo año. Según el concejal, la "
    "recogida selectiva aumentará y se instalarán nuevos contenedores en las calles más céntricas. «Es una "
    "decisión histórica», afirmó la alcaldesa, quien anunció también una biblioteca pública.",
    "pt": "A câmara municipal aprovou o orçamento para o próximo ano. Segundo o presidente, as obras de "
    "requalificação da praça principal começarão em março e a população será informada em sessões públicas.",
}


@pytest.mark.parametrize("language", sorted(WESTERN))
@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_western_text_is_not_legacy_vietnamese(language, codec):
    assert decode_legacy(WESTERN[language].encode(codec)) is None


def test_unicode_and_ascii_are_never_legacy():
    for sample in SAMPLES:
        assert decode_legacy(sample.read_bytes()) is None
        assert decode_legacy(sample.read_text(encoding="utf-8").encode("utf-16")) is None
    assert decode_legacy(b"Ket luan cua Ban Thuong vu Tinh uy ve cong tac dan van\n" * 20) is None


def test_utf8_with_one_broken_byte_is_not_legacy():
    data = SAMPLES[0].read_bytes()
    assert decode_legacy(data[:400] + b"\xff" + data[400:]) is None


def test_random_bytes_are_not_legacy():
    rng = random.Random(17)
    printable = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100)) + [10]
    letters = list(b"abcdeghiklmnopqrstuvxy") + list(range(0xA1, 0x100))
    for _ in range(300):
        size = rng.choice([8, 50, 500, 3000])
        assert decode_legacy(bytes(rng.randrange(256) for _ in range(size))) is None
        assert decode_legacy(bytes(rng.choice(printable) for _ in range(size))) is None
        words = [bytes(rng.choice(letters) for _ in range(rng.randint(2, 5))) for _ in range(size // 8)]
        assert decode_legacy(b" ".join(words)) is None


def test_short_or_ambiguous_text_gives_none_not_a_guess():
    assert decode_legacy(b"m\xf4 l\xf4 c\xf4 b\xf4") is None  # TCVN3 "mụ lụ cụ bụ", VNI "mơ lơ cơ bơ"
    assert decode_legacy("KÕt luËn".encode("latin-1")) is None  # TCVN3, but two words say too little
    assert decode_legacy(b"Caf\xe9 cr\xe8me") is None
    assert decode_legacy(b"") is None


def test_a_short_paragraph_is_enough():
    text = "Thông báo kết luận của Ban Thường vụ Tỉnh ủy"
    assert decode_legacy(encode_legacy(text, TCVN3)) == (text, TCVN3)
    assert decode_legacy(encode_legacy(text, VNI)) == (text, VNI)


def test_syllables():
    for word in ["người", "nghiêng", "quyết", "giữa", "khuỷu", "Đảng", "ỦY", "hoá", "hóa", "thuở", "Đắk", "xoong"]:
        assert is_syllable(word), word
    for word in ["cộtộ", "fỹr", "pốre", "hoạtt", "kểt", "ấṕ", "nguoif", "ẹaỷng", "Ổl"]:
        assert not is_syllable(word), word
    assert not is_syllable("bàc")  # a closed syllable takes sắc or nặng only


# --- .docx runs ---------------------------------------------------------------------------


def test_runs_in_tcvn3_fonts():
    assert convert_run("KÕt luËn cña Ban Th\xadêng vô", ".VnTime") == "Kết luận của Ban Thường vụ"
    assert convert_run("“Hoµ b×nh” – ®éc lËp…", ".VnArial") == "“Hòa bình” – độc lập…"
    assert convert_run("§¶ng bé", ".VnTime") == "Đảng bộ"


def test_runs_in_tcvn3_capital_fonts_are_capitals():
    assert convert_run("kÕt luËn", ".VnTimeH") == "KẾT LUẬN"
    assert convert_run("Th«ng b¸o", ".VnArialH") == "THÔNG BÁO"


def test_runs_in_vni_fonts():
    assert convert_run("Keát luaän cuûa Ban Thöôøng vuï Tænh uûy", "VNI-Times") == "Kết luận của Ban Thường vụ Tỉnh ủy"
    assert convert_run("ÑAÛNG COÄNG SAÛN VIEÄT NAM", "VNI-Helve") == "ĐẢNG CỘNG SẢN VIỆT NAM"


def test_other_runs_are_left_alone():
    assert convert_run("KÕt luËn", "Times New Roman") == "KÕt luËn"
    assert convert_run("KÕt luËn", None) == "KÕt luËn"
    # Already Unicode though the font was left: not converted twice.
    assert convert_run("Kết luận", ".VnTime") == "Kết luận"
    assert convert_run("Kết luận", "VNI-Times") == "Kết luận"


def test_font_names():
    assert font_encoding(".VnTime") == (TCVN3, False)
    assert font_encoding(".VnTimeH") == (TCVN3, True)
    assert font_encoding(".VnArial NarrowH") == (TCVN3, True)
    assert font_encoding("VNI-Times") == (VNI, False)
    assert font_encoding("Times New Roman") is None
    assert font_encoding("") is None
