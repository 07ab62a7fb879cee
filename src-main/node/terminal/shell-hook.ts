/**
 * The prompt hook a terminal types into the remote shell when its host has shell integration on. It is typed
 * visibly (it is part of the evidence) and starts with a space, so a shell that ignores such lines keeps it out
 * of its history. bash: PROMPT_COMMAND emits D (with the last exit code) and A, PS1 ends in B, PS0 (bash 4.4+,
 * RHEL 8; RHEL 7's bash 4.2 has no PS0 and gives no C) emits C with the command line from `history 1`.
 * POSIX sh: PS1 alone, with D;$? before the prompt and B after it; the command line is then read from the echo.
 * It uses printf and shell built-ins only.
 */
export const shellHook = [
  ' if [ -n "$BASH_VERSION" ]; then',
  ` __sdnwb_p(){ local e=$?; printf '\\033]133;D;%s\\007\\033]133;A\\007' "$e"; return $e; };`,
  ` __sdnwb_c(){ local c; c=$(HISTTIMEFORMAT= builtin history 1); [[ $c =~ ^[[:space:]]*[0-9]+[*]?[[:space:]]+(.*)$ ]] && c=\${BASH_REMATCH[1]}; printf '\\033]133;C;%s\\007' "\${c//[[:cntrl:]]/ }"; };`,
  ' PROMPT_COMMAND="__sdnwb_p${PROMPT_COMMAND:+;$PROMPT_COMMAND}"; PS1="$PS1\\[\\033]133;B\\007\\]"; PS0=\'$(__sdnwb_c)\';',
  ` else PS1="$(printf '\\033]133;D;')\\$?$(printf '\\007\\033]133;A\\007')$PS1$(printf '\\033]133;B\\007')"; fi`
].join('')
