"""Benchmark `bundler bundle sign` against `openssl cms -sign` on the same bundle, and what the
signature checks add to `bundler bundle verify`.

Builds the `bundle_bench.py` corpus's bundle once, makes a throwaway test PKI (tests/pki.py;
nothing is kept), then times, each as a child process, best of --repeat:

    bundler bundle sign BUNDLE -o SIGNED --key KEY --cert CERT       (PAdES B-B)
    openssl cms -sign -binary -in BUNDLE -signer CERT -inkey KEY ... (a detached CMS signature
                                                                      over the same bytes)
    bundler bundle verify BUNDLE            and    bundler bundle verify SIGNED --trust CA

    .venv/bin/python benchmarks/sign_bench.py               # 2,600 pages
    .venv/bin/python benchmarks/sign_bench.py --pages 10000
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bundle_bench import OUT_ROOT, run_measured  # noqa: E402
from benchmarks.corpus import make_corpus  # noqa: E402
from tests.pki import make_pki  # noqa: E402


def best(argv: list[str], repeat: int) -> tuple[float, int]:
    runs = [run_measured(argv) for _ in range(repeat)]
    return min(run.wall for run in runs), max(run.total for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2600, help="total pages in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (best kept)")
    args = parser.parse_args()
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SystemExit("openssl is not installed (apt-get install openssl)")
    spec, _items = make_corpus(args.pages)
    OUT_ROOT.mkdir(exist_ok=True)
    bundle = OUT_ROOT / f"sign-bundle-{args.pages}.pdf"
    signed = OUT_ROOT / f"sign-bundle-{args.pages}-signed.pdf"
    bundler = [sys.executable, "-m", "bundler"]
    subprocess.run([*bundler, "bundle", "build", str(spec), "-o", str(bundle), "--force",
                    "--date", "2026-01-01"], check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="sign-bench-") as work:
        pki = make_pki(Path(work))
        ours = best([*bundler, "bundle", "sign", str(bundle), "-o", str(signed), "--force",
                     "--key", str(pki.signer_key), "--cert", str(pki.signer_cert)], args.repeat)
        theirs = best([openssl, "cms", "-sign", "-binary", "-in", str(bundle), "-signer",
                       str(pki.signer_cert), "-inkey", str(pki.signer_key), "-outform", "DER",
                       "-out", str(Path(work) / "bundle.p7s")], args.repeat)
        plain = best([*bundler, "bundle", "verify", str(bundle)], args.repeat)
        checked = best([*bundler, "bundle", "verify", str(signed), "--trust", str(pki.root)],
                       args.repeat)
    mb = 1024 * 1024
    size = bundle.stat().st_size / mb
    print(f"bundle: {args.pages} pages, {size:.1f} MB; best of {args.repeat}, 2 cores")
    print(f"sign:   bundler {ours[0]:.2f} s ({ours[1] / mb:.0f} MB) / openssl cms "
          f"{theirs[0]:.2f} s = {ours[0] / theirs[0]:.1f}")
    print(f"verify: signed {checked[0]:.2f} s ({checked[1] / mb:.0f} MB) / unsigned "
          f"{plain[0]:.2f} s ({plain[1] / mb:.0f} MB) = {checked[0] / plain[0]:.2f}")


if __name__ == "__main__":
    main()
