"""Logging helpers."""

import logging
import re

# A personal link's secret is part of its URL (/p/<43 characters>/...). It must never reach a log.
_PERSONAL_LINK = re.compile(r"(/p/)[A-Za-z0-9_-]{20,}")


def mask_personal_links(text: str) -> str:
    return _PERSONAL_LINK.sub(r"\1…", text)


class MaskPersonalLinks(logging.Filter):
    """Replaces the secret of personal links in log messages and their arguments (request paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_personal_links(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_personal_links(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask_personal_links(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True
