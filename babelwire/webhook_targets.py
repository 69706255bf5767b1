"""Where a webhook may send its deliveries (issue 16): checked when it is registered and again
before every attempt, on the addresses its host resolves to at that moment.

- The scheme is https, or http where BABELWIRE_WEBHOOK_ALLOW_HTTP says so (signatures protect
  the body's integrity, not its confidentiality).
- Every address the host resolves to is a public one: loopback, private, link-local (cloud
  metadata at 169.254.169.254), carrier-grade NAT, multicast, unspecified and reserved addresses
  are refused, unless BABELWIRE_WEBHOOK_ALLOWED_HOSTS lists the host by name, or an address or
  network holding it (on-premises receivers). An API key with admin scope could otherwise make
  the workers POST to the services beside them and read their status codes in the delivery log.
- The attempt then connects to the very address that was checked (`Target.address`), not to
  whatever a second lookup answers, and does not follow redirects: a DNS change between check and
  connect, or a 3xx to an internal URL, cannot get around the check.

Literal addresses in every spelling (127.1, 2130706433, 0x7f000001, 0177.0.0.1, [::ffff:127.0.0.1])
are read the way the C library reads them (inet_aton, getaddrinfo), so they are judged as the
address they would reach."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from babelwire.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(ValueError):
    """The URL may not receive deliveries; the message says why and which setting would allow it."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to for it."""

    url: str
    host: str
    address: IPAddress

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the checked address (user info, port, path kept)."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo + '@' if userinfo else ''}{literal}:{_port(parts)}"
        return parts._replace(netloc=netloc).geturl()

    @property
    def host_header(self) -> str:
        """The Host header the receiver expects: the URL's own host (and port when not the default)."""
        parts = urlsplit(self.url)
        return parts.netloc.rpartition("@")[2]


@dataclass(frozen=True)
class Allowance:
    """BABELWIRE_WEBHOOK_ALLOWED_HOSTS read: host names, and addresses or networks."""

    names: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, listed: str) -> "Allowance":
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (item.strip().strip("[]").lower() for item in listed.split(",")):
            if not entry:
                continue
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                names.add(entry.rstrip("."))
                continue
            if network.num_addresses == 1:  # ::ffff:127.0.0.1 is judged as 127.0.0.1, so listed as that
                network = ipaddress.ip_network(_unmapped(network.network_address))
            networks.append(network)
        return cls(frozenset(names), tuple(networks))

    def allows(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def check_target(url: str, settings: Settings) -> Target:
    """The URL's target if deliveries may go there now; TargetRefused otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "http" and not settings.webhook_allow_http:
        raise TargetRefused("must be an https:// URL (http:// only where BABELWIRE_WEBHOOK_ALLOW_HTTP is set)")
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise TargetRefused("must be an absolute https:// URL")
    host = parts.hostname.rstrip(".")
    addresses = resolve(host, _port(parts))
    allowance = Allowance.parse(settings.webhook_allowed_hosts)
    if host in allowance.names:
        return Target(url, host, addresses[0])
    for address in addresses:
        if not allowance.allows(address) and (kind := internal_kind(address)):
            shown = host if host == str(address) else f"{host} ({address})"
            raise TargetRefused(
                f"{shown} is {kind} address; webhooks are delivered to public addresses only, "
                "unless BABELWIRE_WEBHOOK_ALLOWED_HOSTS lists the host"
            )
    return Target(url, host, addresses[0])


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for, IPv4-mapped IPv6 addresses read as the IPv4 they map."""
    literal = _literal_address(host)
    if literal is not None:
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"cannot resolve the host {host!r}: {error}") from None
    addresses = [_unmapped(ipaddress.ip_address(info[4][0].split("%")[0])) for info in found]
    if not addresses:
        raise TargetRefused(f"the host {host!r} has no address")
    return list(dict.fromkeys(addresses))


def internal_kind(address: IPAddress) -> str | None:
    """What makes an address internal ("a loopback"), or None for a public one."""
    for kind, test in (
        ("a loopback", address.is_loopback), ("an unspecified", address.is_unspecified),
        ("a link-local", address.is_link_local), ("a multicast", address.is_multicast),
        ("a private", address.is_private), ("a reserved", address.is_reserved),
        ("a non-public", not address.is_global),  # carrier-grade NAT 100.64.0.0/10, and the like
    ):
        if test:
            return kind
    return None


def _literal_address(host: str) -> IPAddress | None:
    """An address written in the URL: IPv6 in brackets, or IPv4 in any form inet_aton reads
    (dotted, 127.1, 2130706433, 0x7f000001, 0177.0.0.1), which is how a connection would read it."""
    try:
        return _unmapped(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _unmapped(address: IPAddress) -> IPAddress:
    # Python 3.11's is_loopback and the like are False for ::ffff:127.0.0.1; the kernel connects it to 127.0.0.1.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _port(parts: SplitResult) -> int:
    return parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
