"""The organisation's seal on the controlled PDFs: a PAdES signature (pyHanko) with the key and certificate that
qms.yml names under `pdf.seal`.

What a seal proves, and no more: that the file is unchanged since it was signed with the key of the certificate it
carries. Whether that certificate is the organisation's is for the reader to decide (a certificate from an
authority their PDF reader trusts, or one they were given). The key is loaded and checked before anything is
rendered, so that a PDF is never written unsigned where a seal was asked for: a problem is reported at the line
of qms.yml that names the file, and nothing is written.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..errors import EXIT_INTERNAL, EXIT_USAGE, QmsError
from ..gitlog import git
from ..model.config import CONFIG_FILE, SealSettings, load_config
from ..model.finding import Finding

FIELD = "QMS seal"  # the signature field's name, as a PDF reader lists it
Problem = Callable[[str, str, str, str], None]  # (setting, code, message, hint): report a problem with a setting


@dataclass(frozen=True)
class Seal:
    """A key and its certificate, read and checked: what the PDFs of one run are signed with. Plain bytes, so that
    the processes that render the PDFs can sign them too."""

    key: bytes = field(repr=False)  # PKCS#8 DER, decrypted (held in memory only, never printed)
    certificate: bytes  # DER
    chain: tuple[bytes, ...]
    subject: str  # the certificate's subject, as a reader shows it
    fingerprint: str  # SHA-256 of the certificate, as a reader shows it (part of every cache key)

    def sign(self, pdf: bytes, reason: str) -> bytes:
        """`pdf` with a PAdES baseline signature over the whole file (a certifying signature: no change allowed)."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        meta = signers.PdfSignatureMetadata(field_name=FIELD, reason=reason, md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES, certify=True,
                                            docmdp_permissions=fields.MDPPerm.NO_CHANGES)
        try:
            signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta,
                                      signer=_signer(self.key, self.certificate, self.chain))
        except Exception as exc:  # pyHanko's errors have no common base; none may leave a PDF unsealed
            raise QmsError(f"a PDF could not be sealed ({type(exc).__name__}: {exc}), and none was written",
                           EXIT_INTERNAL) from None
        data: bytes = signed.getvalue()
        return data


class SealError(QmsError):
    """The seal qms.yml asks for cannot be used; one finding per problem, at the qms.yml line naming the file."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("no PDF was written: they must be sealed (qms.yml pdf.seal), and the seal cannot be used:\n"
                         + "\n".join(f.text() for f in findings), EXIT_USAGE)
        self.findings = findings


def of_qms(root: str, now: datetime) -> Seal | None:
    """The seal the QMS at `root` signs its PDFs with now: the one its qms.yml names (the working file, whatever
    day the PDFs show), read and checked; None where it names none."""
    settings = load_config(root).seal
    return None if settings is None else load(root, settings, now)


def load(root: str, settings: SealSettings, now: datetime) -> Seal:
    """Read the key and certificates `settings` name, and check that they can sign now; raise SealError."""
    from cryptography.hazmat.primitives import serialization

    problems: list[Finding] = []

    def problem(name: str, code: str, message: str, hint: str) -> None:
        problems.append(Finding(CONFIG_FILE, settings.line(name), code, message, hint))

    key_data = _read(root, settings.key, "key", problem)
    key = None if key_data is None else _private_key(key_data, settings, problem)
    if key_data is not None and _in_repository(root, key_data):
        problem("key", "QMS193", f"the seal's private key {settings.key} is stored in this Git repository (its "
                "content was committed or staged): anyone with a clone can seal PDFs as the organisation",
                "make a new key and certificate, keep the key out of Git (list it in .gitignore; CI writes it from a "
                "secret), and remove the old one from history")
    own = _certificate(root, settings.certificate, "certificate", problem)
    chain = [_certificate(root, path, "chain", problem) for path in settings.chain]
    if own is not None:
        _check_certificate(own, key, settings, now, problem)
    if problems or key is None or own is None:
        raise SealError(problems)
    der = serialization.Encoding.DER
    return Seal(key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
                own.public_bytes(der), tuple(c.public_bytes(der) for c in chain if c is not None),
                own.subject.rfc4514_string(), hashlib.sha256(own.public_bytes(der)).hexdigest())


def _certificate(root: str, path: str, name: str, problem: Problem) -> Any:
    """The X.509 certificate in the file at `path` (PEM or DER), or None after reporting why not."""
    from cryptography import x509

    data = _read(root, path, name, problem)
    if data is None:
        return None
    try:
        return x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError:
        problem(name, "QMS190", f"pdf.seal.{name}: {path} is not an X.509 certificate (PEM or DER)",
                "name the certificate file (.crt, .pem or .cer)")
        return None


def _read(root: str, path: str, name: str, problem: Problem) -> bytes | None:
    try:
        with open(os.path.join(root, path), "rb") as handle:
            return handle.read()
    except OSError as exc:
        problem(name, "QMS190", f"pdf.seal.{name}: {path} cannot be read ({exc.strerror})",
                "put the file there (CI: write it from a secret before the build), or correct the path; it is "
                "relative to the folder of qms.yml")
        return None


def _private_key(data: bytes, settings: SealSettings, problem: Problem) -> Any:
    """The private key in `data` (PEM or DER, encrypted or not), or None after reporting why not."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    variable = settings.passphrase_env
    passphrase = os.environ.get(variable) if variable else None
    if variable and passphrase is None:
        problem("passphrase_env", "QMS191", f"the seal key's passphrase is read from the environment variable "
                f"{variable}, which is not set", f"set {variable} (CI: from a secret) before making PDFs")
        return None
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data else serialization.load_der_private_key
    try:
        return loader(data, None)  # a key that is not encrypted needs no passphrase
    except TypeError:  # it is encrypted
        pass
    except (ValueError, UnsupportedAlgorithm):
        problem("key", "QMS190", f"pdf.seal.key: {settings.key} is not a private key (PEM or DER)",
                "name the private key file of the seal's certificate")
        return None
    if passphrase is None:
        problem("key", "QMS191", f"the seal key {settings.key} is encrypted, and qms.yml names no passphrase_env",
                "add passphrase_env: NAME under pdf.seal, and set that environment variable to the passphrase")
        return None
    try:
        return loader(data, passphrase.encode())
    except (TypeError, ValueError, UnsupportedAlgorithm):
        problem("passphrase_env", "QMS191", f"the passphrase in {variable} does not open the seal key {settings.key}",
                f"set {variable} to the key's passphrase")
        return None


def _check_certificate(certificate: Any, key: Any, settings: SealSettings, now: datetime, problem: Problem) -> None:
    """The certificate belongs to the key, is valid `now`, and may sign documents."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key is not None and certificate.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        problem("certificate", "QMS192", f"the certificate {settings.certificate} is not the certificate of the key "
                f"{settings.key}", "name the certificate issued for this key (or the key of this certificate)")
    if now < certificate.not_valid_before_utc or now > certificate.not_valid_after_utc:
        when = (f"expired on {certificate.not_valid_after_utc:%Y-%m-%d}" if now > certificate.not_valid_after_utc
                else f"is valid only from {certificate.not_valid_before_utc:%Y-%m-%d}")
        problem("certificate", "QMS192", f"the seal's certificate {settings.certificate} {when}",
                "renew the certificate (a PDF sealed with it would not show as validly signed)")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.digital_signature and not usage.content_commitment:
        problem("certificate", "QMS192", f"the seal's certificate {settings.certificate} may not sign documents "
                "(its key usage allows neither digitalSignature nor nonRepudiation)",
                "use a certificate issued for document signing")


def _in_repository(root: str, data: bytes) -> bool:
    """Whether Git holds these bytes as an object (committed or staged at some time, under any name)."""
    if not git.is_repository(root):
        return False
    blob = git.run(["hash-object", "--stdin"], root, stdin=data).decode().strip()
    return git.succeeds(["cat-file", "-e", blob], root)


@lru_cache(maxsize=4)
def _signer(key: bytes, certificate: bytes, chain: tuple[bytes, ...]) -> Any:
    """pyHanko's signer for a seal (made once per process)."""
    from asn1crypto import keys, x509  # type: ignore[import-untyped,unused-ignore]
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    registry.register_multiple([x509.Certificate.load(der) for der in chain])
    return signers.SimpleSigner(signing_cert=x509.Certificate.load(certificate),
                                signing_key=keys.PrivateKeyInfo.load(key), cert_registry=registry)
