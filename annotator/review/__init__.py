"""Review over a project's labels: agreement report, adjudication queue, chart data (no Qt)."""
from __future__ import annotations

from .units import (  # noqa: F401
    NO_STANCE,
    ProjectLabels,
    STANCE_CATEGORIES,
    STANCE_SCORE,
    Unit,
    read_project,
)
from .report import (  # noqa: F401
    AgreementReport,
    ArticleResult,
    Confusion,
    FieldResult,
    MIN_TARGET_UNITS,
    NOT_CHOSEN,
    NO_UNITS,
    PairResult,
    Stat,
    agreement_report,
    compute_agreement,
    format_report,
    stance_confusion,
)
from .queue import (  # noqa: F401
    DEFAULT_FILTER,
    FILTERS,
    ReviewItem,
    ReviewQueue,
    differing_fields,
    review_queue,
)
from .charts import (  # noqa: F401
    ALL_ANNOTATORS,
    Distribution,
    NO_OUTLET,
    OutletComparison,
    label_distribution,
    outlet_comparison,
    progress_series,
)

__all__ = ['ALL_ANNOTATORS', 'AgreementReport', 'DEFAULT_FILTER', 'FILTERS', 'ReviewQueue', 'ArticleResult', 'Confusion', 'Distribution', 'FieldResult', 'MIN_TARGET_UNITS', 'NOT_CHOSEN', 'NO_OUTLET', 'NO_STANCE', 'NO_UNITS', 'OutletComparison', 'PairResult', 'ProjectLabels', 'ReviewItem', 'STANCE_CATEGORIES', 'STANCE_SCORE', 'Stat', 'Unit', 'agreement_report', 'compute_agreement', 'differing_fields', 'format_report', 'label_distribution', 'outlet_comparison', 'progress_series', 'read_project', 'review_queue', 'stance_confusion']
