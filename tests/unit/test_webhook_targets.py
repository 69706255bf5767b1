"""Which webhook targets babelwire/webhook_targets.py allows: literal addresses in every spelling
(read as the C library reads them, so no lookup leaves the machine) and `localhost`."""

import ipaddress

import pytest

from babelwire.settings import Settings
from babelwire.webhook_targets import Allowance, TargetRefused, check_target, internal_kind, resolve

DEFAULTS = Settings(webhook_allow_http=False, webhook_allowed_hosts="")


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("::ffff:127.0.0.1", "127.0.0.1"), ("::1", "::1"),
        ("localhost", "127.0.0.1"), ("0", "0.0.0.0"),
    ],
)
def test_every_spelling_is_read_as_the_address_it_reaches(host, address):
    assert ipaddress.ip_address(address) in resolve(host, 443)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback"), ("::1", "a loopback"), ("10.1.2.3", "a private"), ("172.16.0.1", "a private"),
        ("192.168.0.1", "a private"), ("169.254.169.254", "a link-local"), ("fe80::1", "a link-local"),
        ("224.0.0.1", "a multicast"), ("ff02::1", "a multicast"), ("0.0.0.0", "an unspecified"), ("::", "an unspecified"),
        ("100.64.0.1", "a non-public"), ("fd00::1", "a private"), ("8.8.8.8", None), ("2001:4860::8888", None),
    ],
)
def test_internal_kinds(address, kind):
    assert internal_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]", "[::1]", "localhost"])
def test_loopback_is_refused_by_default_and_allowed_by_address_or_name(host):
    url = f"https://{host}:8443/hook"
    with pytest.raises(TargetRefused, match="loopback address"):
        check_target(url, DEFAULTS)
    allowed = Settings(webhook_allowed_hosts="127.0.0.0/8, ::1")
    assert check_target(url, allowed).address.is_loopback
    by_name = Settings(webhook_allowed_hosts=host.strip("[]"))
    assert check_target(url, by_name).address.is_loopback


def test_http_needs_the_setting_and_nothing_is_looked_up_before():
    with pytest.raises(TargetRefused, match="must be an https:// URL"):
        check_target("http://8.8.8.8/hook", DEFAULTS)
    assert str(check_target("http://8.8.8.8/hook", Settings(webhook_allow_http=True)).address) == "8.8.8.8"


def test_the_pinned_url_keeps_user_port_path_and_host_header():
    target = check_target("https://user:pw@localhost:8443/a/b?c=d", Settings(webhook_allowed_hosts="127.0.0.1"))
    assert target.pinned_url == "https://user:pw@127.0.0.1:8443/a/b?c=d"
    assert target.host_header == "localhost:8443" and target.host == "localhost"
    six = check_target("https://[::1]/x", Settings(webhook_allowed_hosts="::1"))
    assert six.pinned_url == "https://[::1]:443/x" and six.host_header == "[::1]"


def test_allowance_reads_names_addresses_and_networks():
    allowance = Allowance.parse(" Hooks.Internal. , 10.2.0.0/16,127.0.0.1,[::1], ")
    assert allowance.names == frozenset({"hooks.internal"})
    assert allowance.allows(ipaddress.ip_address("10.2.3.4")) and not allowance.allows(ipaddress.ip_address("10.3.0.1"))
    assert allowance.allows(ipaddress.ip_address("::1"))
