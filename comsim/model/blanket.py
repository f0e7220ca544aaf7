"""Security blankets: how calls through one proxy authenticate (the levels CoSetProxyBlanket
and IClientSecurity::SetBlanket take, and the server principal name)."""

from __future__ import annotations

from dataclasses import dataclass

from . import checks

AUTHN_LEVELS = ("default", "none", "connect", "call", "pkt", "pkt-integrity", "pkt-privacy")
IMP_LEVELS = ("default", "anonymous", "identify", "impersonate", "delegate")


@dataclass(frozen=True)
class Blanket:
    """A security blanket: how calls through one proxy authenticate (RPC_C_AUTHN_LEVEL_*,
    RPC_C_IMP_LEVEL_*, the server principal name). New proxies and copies start with the
    process default."""

    authn_level: str = "connect"
    imp_level: str = "identify"
    principal: str | None = None

    def __post_init__(self):
        checks.choice("authn_level", self.authn_level, AUTHN_LEVELS)
        checks.choice("imp_level", self.imp_level, IMP_LEVELS)
        if self.principal is not None and not isinstance(self.principal, str):
            raise checks.refuse(
                "principal", "a server principal name (str) or None", self.principal, TypeError
            )


DEFAULT_BLANKET = Blanket()
