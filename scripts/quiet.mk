# SPDX-License-Identifier: GPL-2.0
#
# One line per step, the kbuild way; V=1 shows the commands instead.
# $(call msg,TAG,what) prints the line, $(Q) hides a command.
ifeq ($(V),1)
Q   :=
msg :=
else
Q   := @
msg = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif
