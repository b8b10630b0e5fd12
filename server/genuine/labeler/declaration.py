"""The ``app.bsky.labeler.service`` record: what each label value means, in six languages.

Every value of ``bands.LABEL_VALUES`` is declared with a severity, ``blurs: none`` (a
badge never hides anyone's posts) and ``defaultSetting: warn`` (subscribers see the badge
unless they turn it off). Each text says what the band means and that the account's
Genuine report page explains it (reasons, interval, and how to dispute).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from genuine.labeler.bands import LABEL_VALUES
from genuine.labeler.emit import timestamp

LANGS = ("en", "de", "fr", "es", "pt", "ja")

SEVERITY = {
    "bought-followers-high": "alert",
    "bought-followers-medium": "inform",
    "follow-back-ring": "inform",
    "rarely-answers": "inform",
    "answers-only-big-accounts": "inform",
}

# (name, what the band means) per value and language; the report sentence is appended.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "bought-followers-high": {
        "en": (
            "Bought followers (likely)",
            "Genuine's signals find it likely that a large share of this account's "
            "followers were bought.",
        ),
        "de": (
            "Gekaufte Follower (wahrscheinlich)",
            "Genuines Signale halten es für wahrscheinlich, dass ein großer Teil der "
            "Follower dieses Kontos gekauft wurde.",
        ),
        "fr": (
            "Abonnés achetés (probable)",
            "Les signaux de Genuine jugent probable qu'une grande partie des abonnés de "
            "ce compte ait été achetée.",
        ),
        "es": (
            "Seguidores comprados (probable)",
            "Las señales de Genuine consideran probable que una gran parte de los "
            "seguidores de esta cuenta haya sido comprada.",
        ),
        "pt": (
            "Seguidores comprados (provável)",
            "Os sinais do Genuine consideram provável que uma grande parte dos "
            "seguidores desta conta tenha sido comprada.",
        ),
        "ja": (
            "購入フォロワー（可能性高）",
            "Genuine のシグナルによると、このアカウントのフォロワーの多くが"
            "購入された可能性が高いです。",
        ),
    },
    "bought-followers-medium": {
        "en": (
            "Bought followers (possible)",
            "Genuine's signals find signs that some of this account's followers may "
            "have been bought; the evidence is not conclusive.",
        ),
        "de": (
            "Gekaufte Follower (möglich)",
            "Genuines Signale finden Hinweise, dass ein Teil der Follower dieses Kontos "
            "gekauft sein könnte; die Belege sind nicht eindeutig.",
        ),
        "fr": (
            "Abonnés achetés (possible)",
            "Les signaux de Genuine trouvent des indices qu'une partie des abonnés de ce "
            "compte a pu être achetée ; les preuves ne sont pas concluantes.",
        ),
        "es": (
            "Seguidores comprados (posible)",
            "Las señales de Genuine encuentran indicios de que parte de los seguidores "
            "de esta cuenta podría haber sido comprada; la evidencia no es concluyente.",
        ),
        "pt": (
            "Seguidores comprados (possível)",
            "Os sinais do Genuine encontram indícios de que parte dos seguidores desta "
            "conta pode ter sido comprada; as evidências não são conclusivas.",
        ),
        "ja": (
            "購入フォロワー（可能性あり）",
            "Genuine のシグナルは、このアカウントのフォロワーの一部が"
            "購入された可能性を示していますが、"
            "決定的な証拠ではありません。",
        ),
    },
    "follow-back-ring": {
        "en": (
            "Follow-back ring",
            "This account belongs to a group of accounts that follow each other back to "
            "inflate their follower counts.",
        ),
        "de": (
            "Follow-back-Ring",
            "Dieses Konto gehört zu einer Gruppe von Konten, die sich gegenseitig "
            "zurückfolgen, um ihre Followerzahlen aufzublähen.",
        ),
        "fr": (
            "Cercle de follow-back",
            "Ce compte fait partie d'un groupe de comptes qui se suivent mutuellement "
            "pour gonfler leur nombre d'abonnés.",
        ),
        "es": (
            "Red de follow-back",
            "Esta cuenta pertenece a un grupo de cuentas que se siguen mutuamente para "
            "inflar su número de seguidores.",
        ),
        "pt": (
            "Rede de follow-back",
            "Esta conta pertence a um grupo de contas que se seguem mutuamente para "
            "inflar o número de seguidores.",
        ),
        "ja": (
            "相互フォローの輪",
            "このアカウントは、フォロワー数を水増しするために互いにフォローし合うアカウント群に属しています。",
        ),
    },
    "rarely-answers": {
        "en": (
            "Rarely answers",
            "This account rarely replies to the questions people ask under its posts.",
        ),
        "de": (
            "Antwortet selten",
            "Dieses Konto antwortet selten auf Fragen, die unter seinen Beiträgen gestellt werden.",
        ),
        "fr": (
            "Répond rarement",
            "Ce compte répond rarement aux questions posées sous ses publications.",
        ),
        "es": (
            "Rara vez responde",
            "Esta cuenta rara vez responde a las preguntas que le hacen en sus publicaciones.",
        ),
        "pt": (
            "Raramente responde",
            "Esta conta raramente responde às perguntas feitas nas suas publicações.",
        ),
        "ja": (
            "ほとんど返信しない",
            "このアカウントは、投稿に寄せられた質問にほとんど返信しません。",
        ),
    },
    "answers-only-big-accounts": {
        "en": (
            "Answers only big accounts",
            "This account replies mostly to accounts with many followers and much less "
            "to everyone else.",
        ),
        "de": (
            "Antwortet nur großen Konten",
            "Dieses Konto antwortet vor allem Konten mit vielen Followern und viel "
            "seltener allen anderen.",
        ),
        "fr": (
            "Ne répond qu'aux gros comptes",
            "Ce compte répond surtout aux comptes qui ont beaucoup d'abonnés, et bien "
            "moins aux autres.",
        ),
        "es": (
            "Solo responde a cuentas grandes",
            "Esta cuenta responde sobre todo a cuentas con muchos seguidores y mucho "
            "menos al resto.",
        ),
        "pt": (
            "Só responde a contas grandes",
            "Esta conta responde sobretudo a contas com muitos seguidores e muito menos "
            "aos demais.",
        ),
        "ja": (
            "大きなアカウントにだけ返信",
            "このアカウントは主にフォロワーの多いアカウントに返信し、それ以外にはあまり返信しません。",
        ),
    },
}

REPORT = {
    "en": "The account's Genuine report page ({url}) explains the reasons and the "
    "uncertainty behind this label, and how to dispute it.",
    "de": "Die Genuine-Berichtsseite des Kontos ({url}) erklärt die Gründe und die "
    "Unsicherheit hinter diesem Label und wie man es anfechten kann.",
    "fr": "La page de rapport Genuine du compte ({url}) explique les raisons et "
    "l'incertitude derrière ce label, et comment le contester.",
    "es": "La página de informe de Genuine de la cuenta ({url}) explica los motivos y la "
    "incertidumbre detrás de esta etiqueta, y cómo impugnarla.",
    "pt": "A página de relatório do Genuine da conta ({url}) explica os motivos e a "
    "incerteza por trás deste rótulo, e como contestá-lo.",
    "ja": "このラベルの理由と不確かさ、異議の申し立て方法は、そのアカウントの Genuine "
    "レポートページ（{url}）で説明しています。",
}


def report_pattern(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/report/bluesky/<handle>"


def definition(value: str, public_url: str) -> dict[str, Any]:
    """The ``com.atproto.label.defs#labelValueDefinition`` of one value."""
    url = report_pattern(public_url)
    return {
        "identifier": value,
        "severity": SEVERITY[value],
        "blurs": "none",
        "defaultSetting": "warn",
        "adultOnly": False,
        "locales": [
            {
                "lang": lang,
                "name": TEXTS[value][lang][0],
                "description": f"{TEXTS[value][lang][1]} {REPORT[lang].format(url=url)}",
            }
            for lang in LANGS
        ],
    }


def declaration(public_url: str, created_at: datetime | None = None) -> dict[str, Any]:
    """The record to publish at ``at://<labeler DID>/app.bsky.labeler.service/self``."""
    return {
        "$type": "app.bsky.labeler.service",
        "policies": {
            "labelValues": list(LABEL_VALUES),
            "labelValueDefinitions": [definition(v, public_url) for v in LABEL_VALUES],
        },
        "subjectTypes": ["account"],
        "createdAt": timestamp(created_at or datetime.now(UTC)),
    }
