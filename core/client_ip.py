"""The client's address, for rate limits, behind the TLS proxy the deployment requires.

Behind a proxy ``REMOTE_ADDR`` is the proxy for every client, so a limit keyed on it would lock everybody out at
once. ``KS_TRUSTED_PROXIES`` (the environment's ``TRUSTED_PROXIES``) lists the proxies' addresses or networks. The
rule, used by allauth's limits (``core.adapters``) and the portal's own:

- no proxy configured, or the request did not come from one: ``REMOTE_ADDR``; ``X-Forwarded-For`` is ignored, since
  any client can send it;
- from a trusted proxy: walk ``X-Forwarded-For`` from the right, skipping trusted proxies, and take the first address
  that is not one (the right-most untrusted hop). Everything left of it was written by the client and is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"KS_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a network (e.g. 172.31.240.0/24)."
            ) from error
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(entry for entry in getattr(settings, "KS_TRUSTED_PROXIES", ()) if entry.strip()))


def parse_address(value: str) -> Address | None:
    """An address as a proxy writes it: ``203.0.113.7``, ``2001:db8::1``, ``[2001:db8::1]:443`` or ``1.2.3.4:80``."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request`` (see the module's description); ``"unknown"`` if none."""
    remote = parse_address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return "unknown"
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # Not an address: written by the client, or a proxy we do not know. The last good hop stands.
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
