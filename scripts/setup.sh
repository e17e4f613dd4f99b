#!/usr/bin/env bash
# Sets up the workbench on a fresh machine, then builds it. Safe to run again.
#   scripts/setup.sh          Fashion-MNIST (Debian package dataset-fashion-mnist) where apt can install it, then the build
#   scripts/setup.sh --test   also what the test suite needs: Chromium (the offline-rendering test), readelf,
#                             slurm-wlm and munge (a one-node Slurm runs a sweep's job array), linux-perf (`bench host`
#                             profiles a training step), and dotnet-interactive
#                             (the kernel VS Code starts; the notebooks are tested in it too)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

if ! command -v dotnet >/dev/null; then
  echo "setup: the .NET 10 SDK is required and 'dotnet' is not on PATH. Install it from https://dot.net, then run this again." >&2
  exit 1
fi

packages=()
[[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]] || packages+=(dataset-fashion-mnist)
if ((want_test)); then
  command -v chromium >/dev/null || packages+=(chromium)
  command -v readelf >/dev/null || packages+=(binutils)
  command -v slurmctld >/dev/null || packages+=(slurm-wlm)
  command -v munged >/dev/null || packages+=(munge)
  command -v perf >/dev/null || packages+=(linux-perf)
fi
if ((${#packages[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "setup: not a Debian-like system; skipping ${packages[*]} (Fashion-MNIST: see data/README.md)." >&2
  else
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    if [[ -z "$sudo" ]] || sudo -n true 2>/dev/null; then
      echo "setup: installing ${packages[*]}" >&2
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    else
      echo "setup: cannot install ${packages[*]} without root; run: sudo apt-get install ${packages[*]}" >&2
    fi
  fi
fi

interactive_version=1.0.712001
if ((want_test)) && [[ ! -d "$root/artifacts/tools/.store/microsoft.dotnet-interactive/$interactive_version" ]]; then
  # The kernel VS Code's Polyglot Notebooks extension starts: one test runs every notebook in it, as VS Code would.
  echo "setup: installing dotnet-interactive $interactive_version into artifacts/tools" >&2
  dotnet tool uninstall microsoft.dotnet-interactive --tool-path "$root/artifacts/tools" >/dev/null 2>&1 || true
  dotnet tool install Microsoft.dotnet-interactive --version "$interactive_version" --tool-path "$root/artifacts/tools" >/dev/null
fi

echo "setup: building (first time: restores TorchSharp and LibTorch, a few hundred MB)" >&2
dotnet build "$root/Workbench.sln" --nologo -v quiet -clp:ErrorsOnly
dotnet "$root/artifacts/workbench/Workbench.Cli.dll" doctor
