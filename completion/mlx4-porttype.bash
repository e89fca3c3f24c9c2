# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for mlx4-porttype(8): commands, options, and the PCI addresses of the mlx4
# cards present (read from sysfs, as the helper finds them: vendor 0x15b3, driver mlx4_core).

# The addresses of the mlx4 cards present. MLX4_PORTTYPE_SYSFS replaces /sys for tests.
_mlx4_porttype_addresses() {
    local device address
    for device in "${MLX4_PORTTYPE_SYSFS:-/sys}"/bus/pci/drivers/mlx4_core/*:*; do
        [[ -e $device ]] || continue
        address=${device##*/}
        [[ $(<"$device/vendor") == 0x15b3 ]] 2>/dev/null && printf '%s\n' "$address"
    done
}

_mlx4_porttype() {
    local cur prev words cword split
    # Addresses hold colons, which bash splits words at: -n : and __ltrim_colon_completions
    # keep them whole. -s splits --timeout=30 into the option and its value.
    _init_completion -s -n : || return

    local global_options="--config-dir --syslog --verbose --quiet --help --version"
    local commands="apply status check wait set unset"
    local command="" i operands=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --config-dir) ((i++)) ;;
        apply | status | check | wait | set | unset)
            command=${words[i]}
            break
            ;;
        esac
    done
    # set and unset: how many words after the command are not options (KEY, then TYPEs).
    for ((i++; i < cword; i++)); do
        [[ ${words[i]} == -* ]] || ((operands++))
    done

    case $prev in
    --config-dir)
        _filedir -d
        return
        ;;
    --file)
        _filedir
        return
        ;;
    --timeout)
        COMPREPLY=($(compgen -W "0 10 30 60" -- "$cur"))
        return
        ;;
    esac

    local options addresses=""
    case $command in
    "") options="$global_options $commands" ;;
    apply)
        options="--dry-run --json --force --retry --all"
        addresses=$(_mlx4_porttype_addresses)
        ;;
    status)
        options="--json"
        addresses=$(_mlx4_porttype_addresses)
        ;;
    wait) options="--timeout" ;;
    check) options="--file" ;;
    set | unset)
        options="--no-apply --dry-run --force"
        if ((operands == 0)); then
            # KEY: default, a card present, or the start of an identity key.
            addresses="default guid: serial: part: $(_mlx4_porttype_addresses)"
        elif [[ $command == set ]] && ((operands <= 2)); then
            addresses="ib eth auto keep"
        fi
        ;;
    esac
    # An option's value was asked for and has no completion of its own: nothing to offer.
    $split && return
    if [[ $cur == -* || -z $addresses ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$options $addresses" -- "$cur"))
        __ltrim_colon_completions "$cur"
    fi
} && complete -F _mlx4_porttype mlx4-porttype
