"""Words docpipe itself puts in a document, by the document's language: the tag-to-table key, and the titles of
callouts that give none (readers and writers both name things in the reader's language)."""

from __future__ import annotations


def label_key(lang: str | None) -> str:
    """The key of ``lang`` in the label tables: ``zh-Hant`` or ``zh`` for Chinese by script, else its language."""
    tag = lang or ""
    if tag.startswith("zh"):
        traditional = tag.startswith("zh-Hant") or tag.split("-")[-1].upper() in ("TW", "HK", "MO")
        return "zh-Hant" if traditional else "zh"
    return tag.split("-")[0].lower()


#: The title of a Quarto callout without one of its own (``::: {.callout-tip}``), as Quarto's language files
#: name it; English for a language not listed.
CALLOUT_TITLES: dict[str, dict[str, str]] = {
    "note": {"zh": "注意", "zh-Hant": "注意", "ja": "注記", "ko": "노트", "de": "Hinweis", "fr": "Note",
             "es": "Nota", "it": "Nota", "pt": "Nota", "ru": "Примечание", "en": "Note"},
    "tip": {"zh": "提示", "zh-Hant": "提示", "ja": "ヒント", "ko": "팁", "de": "Tipp", "fr": "Astuce",
            "es": "Consejo", "it": "Suggerimento", "pt": "Dica", "ru": "Совет", "en": "Tip"},
    "warning": {"zh": "警告", "zh-Hant": "警告", "ja": "警告", "ko": "경고", "de": "Warnung", "fr": "Avertissement",
                "es": "Advertencia", "it": "Avvertimento", "pt": "Aviso", "ru": "Предупреждение", "en": "Warning"},
    "important": {"zh": "重要", "zh-Hant": "重要", "ja": "重要", "ko": "중요", "de": "Wichtig", "fr": "Important",
                  "es": "Importante", "it": "Importante", "pt": "Importante", "ru": "Важно", "en": "Important"},
    "caution": {"zh": "小心", "zh-Hant": "小心", "ja": "注意", "ko": "주의", "de": "Vorsicht", "fr": "Attention",
                "es": "Precaución", "it": "Attenzione", "pt": "Cuidado", "ru": "Осторожно", "en": "Caution"},
}


def callout_title(kind: str, lang: str | None) -> str:
    """The title of a callout of ``kind`` (``note``, ``callout-tip``) that gives none, for a document in ``lang``;
    a kind not in :data:`CALLOUT_TITLES` is its own name, capitalised."""
    kind = kind.lower().removeprefix("callout-")
    names = CALLOUT_TITLES.get(kind)
    if names is None:
        return kind.capitalize()
    return names.get(label_key(lang), names["en"])


#: The word before a figure's or table's number (``Figure 3.2``, ``图 3.2``) that a Quarto book gives the floats a
#: cross-reference names; English for a language not listed.
FLOAT_NAMES: dict[str, dict[str, str]] = {
    "fig": {"zh": "图", "zh-Hant": "圖", "ja": "図", "ko": "그림", "de": "Abbildung", "fr": "Figure", "es": "Figura",
            "it": "Figura", "pt": "Figura", "ru": "Рисунок", "en": "Figure"},
    "tbl": {"zh": "表", "zh-Hant": "表", "ja": "表", "ko": "표", "de": "Tabelle", "fr": "Tableau", "es": "Tabla",
            "it": "Tabella", "pt": "Tabela", "ru": "Таблица", "en": "Table"},
}


def float_name(kind: str, lang: str | None) -> str:
    """The word before the number of a float of ``kind`` (``fig``, ``tbl``: :data:`FLOAT_NAMES`) in ``lang``."""
    names = FLOAT_NAMES[kind]
    return names.get(label_key(lang), names["en"])
