# SPDX-License-Identifier: GPL-2.0
#
# kunit-flatten.awk: turn KUnit's nested KTAP (from the kernel log) into
# flat TAP with one line per leaf result: a test case, or one parameter of
# a parameterised case, named suite.case[.param].  A suite counts each of
# its cases instead of once.  A run that reported fewer suites than it
# planned (the kernel died in one) adds a failure.
{
	line = $0
	match(line, /^ */)
	depth = RLENGTH
	text = substr(line, depth + 1)
}
text ~ /^# Subtest: / {
	subtest[depth] = substr(text, 12)
	next
}
depth == 0 && text ~ /^1\.\.[0-9]+/ {
	planned += substr(text, 4) + 0
	next
}
text ~ /^(not )?ok [0-9]+/ {
	if (depth == 0)
		suites++
	has_child[depth - 4] = 1
	if (has_child[depth]) {		# a suite or a parameterised case
		has_child[depth] = 0
		next
	}
	ok = text ~ /^ok/
	sub(/^(not )?ok [0-9]+ /, "", text)
	name = ""
	for (d = 4; d <= depth; d += 4)
		name = name subtest[d] "."
	printf "%s %d %s%s\n", ok ? "ok" : "not ok", ++n, name, text
}
END {
	if (suites < planned)
		printf "not ok %d kunit: %d suites planned, %d reported\n", ++n, planned, suites
	if (n == 0)
		printf "not ok %d kunit: no results in the kernel log\n", ++n
	printf "1..%d\n", n
}
