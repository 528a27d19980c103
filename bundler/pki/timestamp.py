"""RFC 3161 timestamps: asking a time-stamping authority (TSA), and checking its tokens.

A TSA signs "this SHA-256 existed at this time" with its own certificate. The toolkit
asks for one over a signed bundle (inside the PDF signature, making it PAdES B-T, and as a
detached ``.tsr`` file anyone can check with ``openssl ts -verify``) and over an audit
log's head hash (``bundler audit anchor``). The request is one HTTP POST; the answer is
bounded in size and time, and every way it can go wrong (no answer, an HTTP error, not a
time-stamp response, a refusal, a token for another hash or request) is one
``ServiceFailed`` naming the address, raised before anything is written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, core, tsp
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus

from bundler.errors import ServiceFailed
from bundler.pki.trust import TrustAnchors, describe

TIMEOUT = 30.0  # seconds for one request; public TSAs answer in well under one
_MAX_RESPONSE = 1 << 20  # a response is a few kB (the TSA's certificates included)
_CONTENT_TYPE = "application/timestamp-query"


class _Response(core.Sequence):  # type: ignore[misc]
    """TimeStampResp (RFC 3161, 2.4.2) with its token optional, as the RFC has it: a refusal
    carries none (asn1crypto's own class requires one)."""

    _fields = [  # noqa: RUF012 (asn1crypto's declaration style)
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class Timestamp:
    """A granted timestamp: the response exactly as received, and what it says."""

    response: bytes  # DER TimeStampResp: the .tsr file
    token: cms.ContentInfo
    time: dt.datetime
    tsa: str


def request_timestamp(url: str, digest: bytes) -> Timestamp:
    """Ask the TSA at ``url`` to timestamp a SHA-256 ``digest``; ServiceFailed if it cannot."""
    client = TsaClient(url)
    nonce, request = client.request_cms(digest, "sha256")  # type: ignore[no-untyped-call]
    raw = post(url, request.dump())
    token = granted_token(url, raw, nonce, digest)
    info = token["content"]["encap_content_info"]["content"].parsed
    return Timestamp(raw, token, info["gen_time"].native, _tsa_name(token))


def post(url: str, body: bytes) -> bytes:
    """The TSA's answer to one request (raw DER); ServiceFailed naming ``url`` otherwise."""
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": _CONTENT_TYPE, "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            data: bytes = answer.read(_MAX_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        raise ServiceFailed(f"{url}: the time-stamping authority answered HTTP {exc.code} "
                            f"({exc.reason}); nothing was written") from None
    except urllib.error.URLError as exc:
        raise ServiceFailed(f"{url}: the time-stamping authority could not be reached "
                            f"({_reason(exc.reason)}); nothing was written") from None
    except (TimeoutError, OSError) as exc:
        raise ServiceFailed(f"{url}: the time-stamping authority could not be reached "
                            f"({_reason(exc)}); nothing was written") from None
    if len(data) > _MAX_RESPONSE:
        raise ServiceFailed(f"{url}: the time-stamping authority's answer is too large to be "
                            "a timestamp (over 1 MB); nothing was written")
    return data


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT:.0f} seconds"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror).lower()
    return str(reason) or type(reason).__name__


def granted_token(url: str, raw: bytes, nonce: int | None, digest: bytes) -> cms.ContentInfo:
    """The token in a TSA's response, after checking it answers this request."""
    failed = f"{url}: the time-stamping authority"
    try:
        response = _Response.load(raw)
        status = response["status"]["status"].native
        strings = response["status"]["status_string"].native or []
    except (ValueError, TypeError, KeyError):
        raise ServiceFailed(f"{failed} did not answer with a time-stamp response; nothing "
                            "was written", "Check the --tsa address is the authority's RFC "
                            "3161 service (not its web page).") from None
    if status not in ("granted", "granted_with_mods"):
        said = f": {'; '.join(strings)}" if strings else ""
        raise ServiceFailed(f"{failed} refused the request ({status}{said}); nothing was "
                            "written")
    try:
        token = response["time_stamp_token"]
        info = token["content"]["encap_content_info"]["content"].parsed
        imprint = info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        answered_nonce = info["nonce"].native
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ServiceFailed(f"{failed} sent a damaged timestamp; nothing was written") from None
    if algorithm != "sha256" or hashed != digest:
        raise ServiceFailed(f"{failed} timestamped something else than what was sent; "
                            "nothing was written")
    if nonce is not None and answered_nonce != nonce:
        raise ServiceFailed(f"{failed} answered another request (its nonce differs); "
                            "nothing was written")
    return token


class TsaClient(TimeStamper):
    """pyHanko's timestamper, asking through ``post`` so every failure reads the same."""

    def __init__(self, url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.url = url

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        raw = await asyncio.to_thread(post, self.url, req.dump())
        nonce = req["nonce"].native
        digest = req["message_imprint"]["hashed_message"].native
        granted_token(self.url, raw, nonce, digest)
        return tsp.TimeStampResp.load(raw)


# --------------------------------------------------------------------------- checking


def utc_words(moment: dt.datetime | None) -> str:
    """A time as people read it in a report: '2026-11-20 10:00:05 UTC'."""
    if moment is None:
        return "an unknown time"
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class TokenCheck:
    """What a timestamp token proves: its time, its TSA, and whether both can be relied on."""

    intact: bool  # the TSA's signature over the token checks, and it covers the digest
    trusted: bool  # ...and the TSA's certificate chains to a trust anchor
    time: dt.datetime | None
    tsa: str | None
    problem: str | None  # why it cannot be relied on, in words
    anchor: str | None = None  # the trust anchor and where it came from

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted


def read_token(data: bytes) -> cms.ContentInfo:
    """The token in a .tsr file (a TimeStampResp), or a bare token; ValueError if neither."""
    try:
        response = _Response.load(data)
        token = response["time_stamp_token"]
        if isinstance(token, cms.ContentInfo) and token["content_type"].native == "signed_data":
            return token
    except (ValueError, TypeError, KeyError):
        pass
    try:
        token = cms.ContentInfo.load(data)
        token["content"]["encap_content_info"]["content"].parsed  # noqa: B018 (parse check)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ValueError("not an RFC 3161 time-stamp response or token") from None
    return token


def check_token(token: cms.ContentInfo, digest: bytes, anchors: TrustAnchors) -> TokenCheck:
    """Check ``token`` timestamps the SHA-256 ``digest``, and whether its TSA is trusted."""
    try:
        info = token["content"]["encap_content_info"]["content"].parsed
        time = info["gen_time"].native
    except (ValueError, TypeError, KeyError, AttributeError):
        return TokenCheck(False, False, None, None, "the token cannot be read")
    tsa = _tsa_name(token)

    def expected(algorithm: str) -> bytes:
        return digest if algorithm == "sha256" else b""

    try:
        kwargs: dict[str, Any] = asyncio.run(
            validate_tst_signed_data(token["content"], anchors.context(), expected))
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # pyHanko raises many kinds on damaged tokens
        return TokenCheck(False, False, time, tsa, f"the token is damaged ({type(exc).__name__})")
    if not (status.intact and status.valid):
        return TokenCheck(False, False, time, tsa, "the token does not match what it "
                          "timestamps, or its signature is broken")
    tsa = describe(status.signing_cert)
    if not status.trusted:
        return TokenCheck(True, False, time, tsa, trust_problem(status.trust_problem_indic))
    return TokenCheck(True, True, time, tsa, None, anchors.anchor_of(status.validation_path))


def trust_problem(indic: object) -> str:
    """Why a certificate is not trusted, in words, from pyHanko's AdES indication."""
    name = getattr(indic, "name", "")
    words = {
        "NO_CERTIFICATE_CHAIN_FOUND": "its certificate does not chain to a trust anchor",
        "EXPIRED": "its certificate had expired",
        "OUT_OF_BOUNDS_NO_POE": "its certificate was not valid at that time",
        "OUT_OF_BOUNDS_NOT_REVOKED": "its certificate was not valid at that time",
        "NOT_YET_VALID": "its certificate was not valid yet",
        "REVOKED": "its certificate was revoked",
        "REVOKED_NO_POE": "its certificate was revoked",
        "REVOKED_CA_NO_POE": "a certificate in its chain was revoked",
        "CHAIN_CONSTRAINTS_FAILURE": "its certificate is not for this use",
        "CRYPTO_CONSTRAINTS_FAILURE": "it uses an algorithm no longer considered safe",
        "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "it uses an algorithm no longer considered safe",
    }
    return words.get(name, f"its certificate chain could not be validated ({name or indic})")


def _tsa_name(token: cms.ContentInfo) -> str:
    """The TSA as named by the certificate that signed the token, else by the token."""
    try:
        signed = token["content"]
        signer_id = signed["signer_infos"][0]["sid"].chosen
        for choice in signed["certificates"]:
            cert = choice.chosen
            if (isinstance(signer_id, cms.IssuerAndSerialNumber)
                    and cert.serial_number == signer_id["serial_number"].native
                    and cert.issuer == signer_id["issuer"]):
                return describe(cert)
        named = signed["encap_content_info"]["content"].parsed["tsa"]
        return str(named.chosen.human_friendly) if named.native else "an unnamed authority"
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return "an unnamed authority"

