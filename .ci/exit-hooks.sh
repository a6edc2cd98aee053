# Runs each registered command when the shell exits (servers started for the tests).
add_exit_hook() {
  EXIT_HOOKS+=("$1")
  trap 'for hook in "${EXIT_HOOKS[@]}"; do "$hook"; done' EXIT
}
