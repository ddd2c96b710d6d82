# direnv support for gpuenv: `use gpuenv` in an .envrc loads the environment
# that `gpuenv run` gives (gpuenv.toml found from the .envrc's directory up).
#
# Install: copy this file to ~/.config/direnv/lib/gpuenv.sh (direnv sources
# every file there), or `source` it from the .envrc. Then in .envrc:
#
#   use gpuenv                 # or: use gpuenv --spec path/to/gpuenv.toml
#
# direnv reloads when gpuenv.toml changes. Arguments are passed to `gpuenv env`.
use_gpuenv() {
  if ! has gpuenv; then
    log_error "use gpuenv: gpuenv is not on PATH"
    return 1
  fi
  local spec dir
  dir=$PWD
  while :; do
    if [[ -f "$dir/gpuenv.toml" ]]; then spec="$dir/gpuenv.toml"; break; fi
    [[ "$dir" == "/" || -z "$dir" ]] && break
    dir=${dir%/*}
    [[ -z "$dir" ]] && dir=/
  done
  [[ -n "$spec" ]] && watch_file "$spec"
  local out
  if ! out=$(gpuenv env --shell bash "$@"); then
    log_error "use gpuenv: gpuenv env failed (see above); the environment is unchanged"
    return 1
  fi
  eval "$out"
}
