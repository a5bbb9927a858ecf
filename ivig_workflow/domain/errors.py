"""Errors the domain raises when input breaks a rule.

Every refusal names the field and the rule, so that the CLI can print one readable
line and the HTTP API can answer 422 with the same words.
"""


class InputError(ValueError):
    """A value a person or a ward system gave breaks a rule."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class UnknownIndication(InputError):
    def __init__(self, slug: str) -> None:
        super().__init__("indication", f"unknown indication {slug!r}")
        self.slug = slug


class UnknownProduct(InputError):
    def __init__(self, slug: str) -> None:
        super().__init__("product", f"unknown product {slug!r}")
        self.slug = slug
