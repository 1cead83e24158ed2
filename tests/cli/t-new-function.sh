#!/bin/bash
# blambda new-function: a project that works on the first try, names that
# Lambda and Clojure both accept, no overwriting without --force, custom
# templates; nothing is written when anything is wrong.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
STAND_IN="$BLAMBDA_SOURCE_DIR/tests/support/bb"

test_case "a new project has every file, filled in"
blambda new-function my-fn
expect_status 0
for f in blambda.yml bb.edn src/my_fn.clj test/my_fn_test.clj events/example.json .gitignore README.md; do
	expect_out_has "my-fn/$f"
	expect_file "my-fn/$f"
done
expect_err_has "cd my-fn"
grep -q '^(ns my-fn$' my-fn/src/my_fn.clj && pass || fail "the namespace is not my-fn"
grep -q '(defn handler' my-fn/src/my_fn.clj && pass || fail "no handler"
grep -q ':paths \["src"\]' my-fn/bb.edn && pass || fail "bb.edn lacks :paths"
grep -qx 'target/' my-fn/.gitignore && grep -qx '.cpcache/' my-fn/.gitignore && grep -qx '.env' my-fn/.gitignore && pass || fail ".gitignore"
for w in "blambda build" "blambda local invoke" "blambda deploy" "blambda invoke" "blambda destroy"; do
	grep -q "$w" my-fn/README.md && pass || fail "the README does not mention $w"
done
grep -q '{{' -r my-fn && fail "a variable was left unfilled" || pass

test_case "the closing hint names the next steps: tests, local invoke, deploy"
expect_err_has "  bb test "
expect_err_has "  blambda local invoke --event example "
expect_err_has "  blambda deploy "

test_case "--ns: a namespace of several segments, in its own file, the handler named by it"
blambda new-function orders --ns shop.order-book
expect_status 0
expect_file orders/src/shop/order_book.clj
expect_file orders/test/shop/order_book_test.clj
grep -q '^(ns shop.order-book$' orders/src/shop/order_book.clj && pass || fail "the namespace is not shop.order-book"
grep -q '^  handler: shop.order-book/handler$' orders/blambda.yml && pass || fail "the handler: $(grep handler: orders/blambda.yml)"
grep -q '^  name: orders$' orders/blambda.yml && pass || fail "the function's name changed"
run "$STAND_IN" -cp orders/src:orders/test -e "(require 'clojure.test 'shop.order-book-test) (let [r (clojure.test/run-tests 'shop.order-book-test)] (System/exit (if (zero? (+ (:fail r) (:error r))) 0 1)))"
expect_status 0
for bad in "shop..orders" ".shop" "shop." "9shop.x" "shop.x-" "shop/orders"; do
	blambda new-function bad-ns --ns "$bad"
	expect_status 2
	expect_err_has "'$bad' cannot name the handler's namespace"
done
expect_no_file bad-ns

test_case "a project is not made inside another one without --force"
mkdir -p orders/services
blambda -C orders/services new-function inner
expect_status 2
expect_err_has "'inner' would be inside the project of $TMP/orders/blambda.yml"
expect_err_has "hint: to add a function to that project, list it under functions: in its blambda.yml"
expect_no_file orders/services/inner
blambda new-function inner --dir orders/inner
expect_status 2
expect_no_file orders/inner
blambda new-function inner --dir orders/inner --force
expect_status 0
expect_file orders/inner/blambda.yml
rm -rf orders

test_case "blambda.yml reads back with the name, handler and defaults"
blambda -C my-fn config --json
expect_status 0
expect_json "d['values']['function.name']['value'] == 'my-fn' and d['values']['function.handler']['value'] == 'my-fn/handler'"
expect_json "d['values']['function.architecture']['value'] == 'x86_64' and d['values']['function.memory']['value'] == 512"
expect_json "d['values']['babashka.version']['value'] == '1.13.219' and d['values']['function.memory']['source'] == 'file'"

test_case "the generated tests pass, and the handler greets"
run "$STAND_IN" -cp my-fn/src:my-fn/test -e "(require 'clojure.test 'my-fn-test) (let [r (clojure.test/run-tests 'my-fn-test)] (System/exit (if (zero? (+ (:fail r) (:error r))) 0 1)))"
expect_status 0
expect_out_has "Ran 2 tests containing 2 assertions."
expect_out_has "0 failures, 0 errors."
run "$STAND_IN" -cp my-fn/src -e "(require 'my-fn) (prn ((resolve 'my-fn/handler) {:name \"Ada\"} {}))"
expect_out_has '{:greeting "Hello Ada!"}'

test_case "the new project builds its function zip"
blambda -C my-fn build --function
expect_status 0
listing=$(unzip -Z1 my-fn/target/function.zip | tr '\n' ' ')
[ "$listing" = "my_fn.clj " ] && pass || fail "the zip holds: $listing"

test_case "options fill the template"
blambda new-function arm-fn --arch arm64 --memory 1024 --timeout 30 --bb-version 1.12.218 --dir elsewhere/arm
expect_status 0
blambda -C elsewhere/arm config --json
expect_json "d['values']['function.architecture']['value'] == 'arm64' and d['values']['function.memory']['value'] == 1024"
expect_json "d['values']['function.timeout']['value'] == 30 and d['values']['babashka.version']['value'] == '1.12.218'"

test_case "names Lambda or Clojure would reject are refused, and nothing is written"
for bad in "../x" "has space" "1abc" "a/b" "-x" "x-" "a--b" "$(printf 'n%.0s' $(seq 65))" "héllo"; do
	blambda new-function -- "$bad"
	expect_status 2
	expect_err_has "cannot name a function"
done
[ -z "$(ls -A "$TMP" | grep -v -e '^my-fn$' -e '^elsewhere$' -e '^home$' -e '^\.')" ] && pass || fail "something was written: $(ls -A "$TMP")"
blambda new-function x --memory 64
expect_status 2
expect_err_has "option '--memory' must be between 128 and 10240, got 64"
blambda new-function x --bb-version latest
expect_status 2
expect_no_file x

test_case "into an existing directory, a failure part way leaves it as it was"
mkdir half && echo "mine" > half/src # src/ cannot be made: the files before it must go again
blambda new-function half
expect_status 1
expect_err_has "'half/src' is not a directory"
[ "$(ls -A half)" = src ] && pass || fail "left behind: $(ls -A half | tr '\n' ' ')"
[ "$(cat half/src)" = mine ] && pass || fail "half/src was changed"
rm -rf half

test_case "existing files are never overwritten without --force"
echo "my own notes" > my-fn/NOTES.md
echo "changed" >> my-fn/src/my_fn.clj
blambda new-function my-fn
expect_status 2
expect_err_has "would overwrite my-fn/README.md, my-fn/bb.edn"
expect_err_has "hint: use --force"
grep -q changed my-fn/src/my_fn.clj && pass || fail "a file was overwritten"
blambda new-function my-fn --force
expect_status 0
grep -q changed my-fn/src/my_fn.clj && fail "--force did not overwrite" || pass
expect_file my-fn/NOTES.md
echo file > plain
blambda new-function plain
expect_status 2
expect_err_has "'plain' exists and is not a directory"

test_case "--json"
blambda new-function json-fn --json
expect_status 0
expect_json "d['path'] == 'json-fn' and d['handler'] == 'json-fn/handler' and 'src/json_fn.clj' in d['files']"

test_case "a custom template, with the same variables"
mkdir -p tmpl/src tmpl/scripts
printf '(ns {{ns}})\n(defn handler [e c] {:from "custom" :arch "{{arch}}"})\n' > tmpl/src/NAME.clj
printf 'function:\n  name: {{name}}\n  handler: {{handler}}\n' > tmpl/blambda.yml
printf '#!/bin/sh\necho {{file}}\n' > tmpl/scripts/run.sh
chmod +x tmpl/scripts/run.sh
printf 'target/\n' > tmpl/gitignore
blambda new-function custom-fn --template tmpl --arch arm64
expect_status 0
expect_file custom-fn/src/custom_fn.clj
expect_file custom-fn/.gitignore
grep -q ':arch "arm64"' custom-fn/src/custom_fn.clj && pass || fail "variables not filled"
[ -x custom-fn/scripts/run.sh ] && pass || fail "the executable bit was lost"
expect_no_file custom-fn/bb.edn
printf 'line one\n{{nmae}}\n' > tmpl/README.md
blambda new-function other-fn --template tmpl
expect_status 2
expect_err_has "template 'README.md':2: unknown variable '{{nmae}}' (did you mean '{{name}}'?)"
expect_no_file other-fn
blambda new-function other-fn --template nowhere
expect_status 2
expect_err_has "cannot read template directory 'nowhere'"

test_case "links in a template: to a file inside it followed; out of it, or to a directory, refused"
mkdir -p lt/src && printf 'secret\n' > secrets
printf '(ns {{ns}})\n' > lt/src/NAME.clj
printf 'shared text\n' > lt/common.txt
ln -s common.txt lt/README.md
blambda new-function linked-fn --template lt
expect_status 0
[ "$(cat linked-fn/README.md)" = "shared text" ] && pass || fail "the inside link was not followed"
ln -s ../secrets lt/LEAK.md
blambda new-function leaky-fn --template lt
expect_status 2
expect_err_has "template file 'LEAK.md' is a link to '$TMP/secrets', outside the template: not followed"
expect_no_file leaky-fn
rm lt/LEAK.md
ln -s /etc/passwd lt/passwd
blambda new-function leaky-fn --template lt
expect_status 2
expect_err_has "outside the template"
rm lt/passwd
ln -s . lt/loop
blambda new-function loopy-fn --template lt
expect_status 2
expect_err_has "template file 'loop' is a link to '$TMP/lt', not a file: not followed"
rm lt/loop

test_case "template files that collide: named, nothing written"
mkdir -p col/NAME && printf 'x\n' > col/NAME/inner.txt && printf 'y\n' > col/clash
blambda new-function clash --template col
expect_status 2
expect_err_has "the template makes 'clash' a file and a directory (of 'clash/inner.txt')"
expect_no_file clash
rm -rf col && mkdir -p col && printf 'x\n' > col/NAME.txt && printf 'y\n' > col/clash.txt
blambda new-function clash --template col
expect_status 2
expect_err_has "two template files would both be 'clash.txt'"
expect_no_file clash

test_case "an interrupted new-function leaves no staging directory"
mkdir -p big
for i in $(seq 1 150); do head -c 400000 /dev/urandom | base64 > big/f$i.txt; done
"$BLAMBDA" new-function slowfn --template big > /dev/null 2>&1 &
pid=$!
for i in $(seq 1 1000); do ls -d slowfn.tmp-* > /dev/null 2>&1 && break; sleep 0.01; done
ls -d slowfn.tmp-* > /dev/null 2>&1 && pass || fail "the staging directory was never seen"
kill -TERM $pid
wait $pid
[ -z "$(ls -d slowfn.tmp-* slowfn 2>/dev/null)" ] && pass || fail "left behind: $(ls -d slowfn*)"
rm -rf big

test_case "--dir with a trailing slash, a quote and spaces: the project lands there, nothing else"
cd "$TMP" || exit 1
mkdir -p slashy && cd slashy || exit 1
blambda new-function hello --dir out/
expect_status 0
expect_file out/blambda.yml
[ "$(ls -A)" = "out" ] && pass || fail "left beside it: $(ls -A)"
[ -z "$(find out -name '.tmp-*')" ] && pass || fail "a staging directory is left in out/"
mkdir -p "Bob's fns"
touch "Bob's fns/keep"
blambda new-function hello --dir "Bob's fns/x/"
expect_status 0
expect_file "Bob's fns/x/src/hello.clj"
expect_file "Bob's fns/keep"
[ "$(ls -A "Bob's fns" | tr '\n' ' ')" = "keep x " ] && pass || fail "Bob's fns holds: $(ls -A "Bob's fns")"


test_case "--ci github: a workflow that tests, then deploys from main with OIDC and no stored keys"
cd "$TMP" && mkdir -p ci && cd ci || exit 1
blambda new-function ci-fn --ci github --bb-version 1.12.200
expect_status 0
expect_out_has "ci-fn/.github/workflows/deploy.yml"
expect_err_has "set up what the comments at the top of ci-fn/.github/workflows/deploy.yml say"
# a Python that reads YAML: moto's, or Debian's with python3-yaml
for yaml_py in "$PYTHON" /usr/bin/python3; do "$yaml_py" -c 'import yaml' 2>/dev/null && break; done
"$yaml_py" - ci-fn/.github/workflows/deploy.yml <<'PY' && pass || fail "the workflow: $(cat ci-fn/.github/workflows/deploy.yml)"
import sys, yaml
text = open(sys.argv[1]).read()
d = yaml.safe_load(text)
assert "{{" not in text.replace("${{", ""), "a template variable is left"
on = d[True]  # YAML 1.1 reads the key 'on' as true
assert on["push"]["branches"] == ["main"] and "pull_request" in on, on
test, deploy = d["jobs"]["test"], d["jobs"]["deploy"]
assert any("babashka-1.12.200-linux-amd64-static.tar.gz" in s.get("run", "") for s in test["steps"]), test
assert test["steps"][-1]["run"] == "bb test", test
assert deploy["needs"] == "test" and "refs/heads/main" in deploy["if"], deploy
assert deploy["permissions"]["id-token"] == "write", deploy
env = deploy["env"]
assert env["CI"] == "true" and env["AWS_ROLE_ARN"] == "${{ vars.AWS_ROLE_ARN }}", env
assert env["AWS_WEB_IDENTITY_TOKEN_FILE"] and "AWS_ACCESS_KEY_ID" not in text, env
assert d["name"] == "ci-fn", d["name"]
runs = [s.get("run", "") for s in deploy["steps"]]
assert runs[-2] == "blambda build", runs
last = runs[-1].strip().splitlines()
assert "audience=sts.amazonaws.com" in last[1] and '> "$AWS_WEB_IDENTITY_TOKEN_FILE"' in last[1], last
assert last[-2:] == ["blambda doctor", "blambda deploy"], last
PY
blambda new-function other --ci gitlab
expect_status 2
expect_err_has "gitlab"

finish
