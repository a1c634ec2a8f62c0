"""extractor: tasks, units and deadlines from Vietnamese government notices.

>>> from extractor import extract
>>> notice = extract("notice.txt")          # or a Path, or the notice's text
>>> [(t.units, t.action.text, t.deadline) for t in notice.tasks]
"""

from .errors import ExtractorError, InputError, RuleError
from .models import Deadline, Notice, NoticeMeta, Span, Task
from .pipeline import extract
from .render import notice_to_dict
from .rules import RuleSet, load_rules

__all__ = [
    "Deadline",
    "ExtractorError",
    "InputError",
    "Notice",
    "NoticeMeta",
    "RuleError",
    "RuleSet",
    "Span",
    "Task",
    "extract",
    "load_rules",
    "notice_to_dict",
]
__version__ = "0.1.0"
