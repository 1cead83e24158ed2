#!/bin/bash
# blambda build in a project: the function zip (contents, modes, ignore rules,
# reproducibility, incremental rebuilds), the deps layer (resolved offline
# against a file:// Maven repository made from Debian's jars, classpath under
# /opt, pods for another architecture from a loopback registry), and the size
# limits.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_CACHE_DIR="$TMP/cache" BLAMBDA_RETRY_BASE_MS=20
make_release "$TMP/mirror" 9.9.9 x86_64 arm64 || exit 1
start_release_server "$TMP/mirror"
export BLAMBDA_BABASHKA_URL=$RELEASE_URL
cd "$TMP" || exit 1
"$BLAMBDA" new-function hello --bb-version 9.9.9 -q > /dev/null || exit 1
cd hello || exit 1
mkdir -p src/hello/util bin
printf '(ns hello.util.text)\n' > src/hello/util/text.clj
printf '#!/bin/sh\necho hi\n' > src/run.sh
chmod +x src/run.sh
touch src/hello.clj~ src/.#hello.clj src/#hello.clj# src/x.swp src/.DS_Store
mkdir -p src/target src/.git src/scratch src/keep
touch src/target/t.clj src/.git/HEAD src/scratch/s.clj src/notes.tmp src/keep/k.clj
printf '# not for Lambda\n*.tmp\nsrc/scratch/\n' > .blambdaignore

test_case "blambda build makes the runtime layer and the function zip; no deps, said once"
blambda build
expect_status 0
expect_out_has "runtime-layer  x86_64  target/runtime-layer-x86_64.zip"
expect_out_has "function       x86_64  target/function.zip"
expect_out_lacks "deps-layer"
[ "$(grep -c 'no deps layer' <<< "$err")" = 1 ] && pass || fail "'no deps layer' said $(grep -c 'no deps layer' <<< "$err") times"
# the summary's columns line up: each size starts where the others do
cols=$(printf '%s\n' "$out" | awk '{ print match($0, / [KM]B  /) }' | sort -u | wc -l)
[ "$cols" = 1 ] && pass || fail "the sizes are not aligned: $out"
printf '%s\n' "$out" | grep -qE "target/function.zip +[0-9.]+ KB  built" && pass || fail "a zip under 1 MB in KB: $out"
blambda build -q --force
expect_status 0
expect_out_empty
expect_err_empty
blambda build -q --json
expect_json "len(d['artifacts']) == 2"

test_case "the handler is checked: its namespace's file is in the zip and names the function, with did-you-mean"
cp blambda.yml "$TMP/good.yml"
sed -i 's|handler: hello/handler|handler: hello.utl.text/handler|' blambda.yml
blambda build --function
expect_status 2
expect_err_has "handler 'hello.utl.text/handler' (function.handler, blambda.yml:5): namespace hello.utl.text is not in the function zip (no hello/utl/text.clj in the source paths)"
expect_err_has "hint: did you mean namespace 'hello.util.text' (handler 'hello.util.text/handler')?"
sed -i 's|handler: hello.utl.text/handler|handler: hello/handle|' "blambda.yml"
blambda build --function
expect_status 2
expect_err_has "handler 'hello/handle' (function.handler, blambda.yml:5): hello.clj defines no 'handle'"
expect_err_has "hint: did you mean 'handler' (handler 'hello/handler')?"
# named but not by a def form (a macro may define it): accepted
printf '(ns hello.util.text)\n(defhandler handle-it [e c] e) ; handle-it\n' > src/hello/util/text.clj
sed -i 's|handler: hello/handle|handler: hello.util.text/handle-it|' "blambda.yml"
blambda build --function
expect_status 0
printf '(ns hello.util.text)\n' > src/hello/util/text.clj
cp "$TMP/good.yml" blambda.yml
blambda build --function
expect_status 0

test_case "the function zip: source-relative names, modes, exclusions"
listing=$(unzip -Z1 target/function.zip | tr '\n' ' ')
[ "$listing" = "hello.clj hello/util/text.clj keep/k.clj run.sh " ] && pass || fail "the zip holds: $listing"
unzip -Z target/function.zip run.sh | grep -q '^-rwxr-xr-x' && pass || fail "run.sh lost its executable bit"
unzip -Z target/function.zip hello.clj | grep -q '^-rw-r--r--' && pass || fail "hello.clj is not 0644"

test_case "incremental and reproducible"
sha=$(sha256sum target/function.zip | cut -d' ' -f1)
blambda build --function
expect_out_has "up to date"
touch src/hello.clj
blambda build --function
expect_out_has "up to date" # the same content is the same zip
echo ";; changed" >> src/hello.clj
blambda build --function --dry-run
expect_out "would build target/function.zip: its inputs changed"
blambda build --function
expect_out_has "built"
sed -i '$d' src/hello.clj
rm -rf target/function.zip
blambda build --function
[ "$(sha256sum target/function.zip | cut -d' ' -f1)" = "$sha" ] && pass || fail "the same sources gave another zip"

test_case "source paths: several, missing, clashing"
mkdir -p resources
printf 'hi\n' > resources/greeting.txt
printf 'function:\n  source-paths: [src, resources]\n' > alt.yml
cat blambda.yml >> /dev/null
blambda -c alt.yml build --function
expect_status 0
unzip -Z1 target/function.zip | grep -qx greeting.txt && pass || fail "resources/ not in the zip"
printf 'function:\n  source-paths: [src, nope]\n' > alt.yml
blambda -c alt.yml build --function
expect_status 2
expect_err_has "source path 'nope' (function.source-paths, alt.yml:2) does not exist"
printf '(ns clash)\n' > resources/hello.clj
printf 'function:\n  source-paths: [src, resources]\n' > alt.yml
blambda -c alt.yml build --function
expect_status 2
expect_err_has "'src/hello.clj' and 'resources/hello.clj' would both be 'hello.clj' in the function zip"
rm resources/hello.clj alt.yml

test_case "the deps layer: resolved offline, classpath under /opt"
repo="$TMP/maven"
mkdir -p "$repo/tigris/tigris/0.1.2" "$repo/cheshire/cheshire/5.11.0"
cp /usr/share/java/tigris.jar "$repo/tigris/tigris/0.1.2/tigris-0.1.2.jar"
cp /usr/share/java/cheshire.jar "$repo/cheshire/cheshire/5.11.0/cheshire-5.11.0.jar"
printf '<project><groupId>tigris</groupId><artifactId>tigris</artifactId><version>0.1.2</version></project>\n' \
	> "$repo/tigris/tigris/0.1.2/tigris-0.1.2.pom"
cat > "$repo/cheshire/cheshire/5.11.0/cheshire-5.11.0.pom" <<'POM'
<project><groupId>cheshire</groupId><artifactId>cheshire</artifactId><version>5.11.0</version>
<dependencies>
  <dependency><groupId>tigris</groupId><artifactId>tigris</artifactId><version>0.1.2</version></dependency>
  <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4</version><scope>test</scope></dependency>
</dependencies></project>
POM
mkdir -p "$TMP/bin" && ln -sf "$BLAMBDA_SOURCE_DIR/tests/support/bb" "$TMP/bin/bb"
cat > bb.edn <<'EDN'
{:paths ["src"]
 ;; a comment, and a discarded form
 #_ {:ignored true}
 :deps {cheshire/cheshire {:mvn/version "5.11.0"}}}
EDN
PATH="$TMP/bin:$PATH" BLAMBDA_TEST_MAVEN_REPO="$repo" blambda build --deps-layer
expect_status 0
expect_out_has "deps-layer     x86_64  target/deps-layer-x86_64.zip"
expect_err_has "Resolving the dependencies with 'bb clojure -Spath'"
run unzip -Z1 target/deps-layer-x86_64.zip
expect_out_has "m2-repo/cheshire/cheshire/5.11.0/cheshire-5.11.0.jar"
expect_out_has "m2-repo/tigris/tigris/0.1.2/tigris-0.1.2.jar"
expect_out_has "deps-classpath"
cp_line=$(unzip -p target/deps-layer-x86_64.zip deps-classpath)
[ "$cp_line" = "/opt/m2-repo/cheshire/cheshire/5.11.0/cheshire-5.11.0.jar:/opt/m2-repo/tigris/tigris/0.1.2/tigris-0.1.2.jar" ] \
	&& pass || fail "deps-classpath is '$cp_line'"
[ -z "$(ls -A target | grep -E '^\.deps-(layer|resolve)-(x86_64|arm64)$')" ] && pass || fail "work directories were left in target/"
PATH="$TMP/bin:$PATH" BLAMBDA_TEST_MAVEN_REPO="$repo" blambda build --deps-layer
expect_out_has "up to date"

test_case "without bb on PATH, the cached Babashka release of this machine resolves the deps"
if [ "$(uname -m)" = x86_64 ]; then
	RELEASE_BB_SOURCE="$BLAMBDA_SOURCE_DIR/tests/support/bb_trampoline.c" make_release "$TMP/mirror" 7.0.0
	blambda build --runtime-layer --bb-version 7.0.0 -o "$TMP/elsewhere"
	expect_status 0
	BLAMBDA_BB_VERSION=7.0.0 BLAMBDA_TEST_BB="$BLAMBDA_SOURCE_DIR/tests/support/bb" BLAMBDA_TEST_MAVEN_REPO="$repo" \
		blambda build --deps-layer --force
	expect_status 0
	expect_err_has "Resolving the dependencies with '$TMP/cache/babashka/7.0.0/babashka-7.0.0-linux-amd64-static.tar.gz.bb clojure -Spath'"
	[ "$(unzip -p target/deps-layer-x86_64.zip deps-classpath)" = "$cp_line" ] && pass || fail "another classpath"
fi

test_case "without bb, the Clojure CLI is tried, and a clojure without -Spath is explained"
BLAMBDA_BB_VERSION=6.0.0 blambda build --deps-layer --force
expect_status 1
if command -v clojure > /dev/null; then
	expect_err_has "Resolving the dependencies with 'clojure -Spath'"
	expect_err_has "hint: 'clojure -Spath' needs the Clojure CLI"
else
	expect_err_has "resolving the dependencies needs bb or the Clojure CLI (clojure) on PATH"
fi

test_case "a dependency that cannot be resolved fails the build and keeps the old layer"
good=$(sha256sum target/deps-layer-x86_64.zip | cut -d' ' -f1)
sed -i 's/5.11.0/9.9.9/' bb.edn
PATH="$TMP/bin:$PATH" BLAMBDA_TEST_MAVEN_REPO="$repo" blambda build --deps-layer
expect_status 1
expect_err_has "'bb clojure -Spath' failed while resolving the dependencies"
[ "$(sha256sum target/deps-layer-x86_64.zip | cut -d' ' -f1)" = "$good" ] && pass || fail "the old layer was replaced"
sed -i 's/9.9.9/5.11.0/' bb.edn

test_case "BLAMBDA_BB resolves first, as local runs it; no classpath from it is an error, the old layer kept"
printf '#!/bin/sh\necho\n' > "$TMP/empty-bb" && chmod +x "$TMP/empty-bb"
PATH="$TMP/bin:$PATH" BLAMBDA_BB="$TMP/empty-bb" blambda build --deps-layer --force
expect_status 1
expect_err_has "Resolving the dependencies with '$(realpath "$TMP/empty-bb") clojure -Spath'"
expect_err_has "error: '$(realpath "$TMP/empty-bb") clojure -Spath' printed no classpath for the :deps of bb.edn"
expect_err_has "hint: each entry of :deps names a library and its version"
[ "$(sha256sum target/deps-layer-x86_64.zip | cut -d' ' -f1)" = "$good" ] && pass || fail "the old layer was replaced"
PATH="$TMP/bin:$PATH" BLAMBDA_BB="$TMP/no-such-bb" blambda build --deps-layer --force
expect_status 2
expect_err_has "BLAMBDA_BB names '$TMP/no-such-bb', which is not an executable"
(cd "$TMP" && ln -sf "$BLAMBDA_SOURCE_DIR/tests/support/bb" ./relative-bb)
BLAMBDA_BB=../relative-bb BLAMBDA_TEST_MAVEN_REPO="$repo" blambda build --deps-layer --force
expect_status 0
expect_err_has "Resolving the dependencies with '$(realpath "$BLAMBDA_SOURCE_DIR/tests/support/bb") clojure -Spath'"

test_case "bad bb.edn is reported with its line and column"
printf '{:deps [a b]}\n' > bad.edn
printf 'deps-file: bad.edn\n' > alt.yml
blambda -c alt.yml build --deps-layer
expect_status 2
expect_err_has "bad.edn:1:8: :deps must be a map"
printf '{:deps {a/b {:mvn/version "1"}\n' > bad.edn
blambda -c alt.yml build --deps-layer
expect_status 2
expect_err_has "bad.edn:2:1: unclosed '{'"
rm bad.edn alt.yml

test_case "pods are fetched for Linux and the layer's architecture, not the build machine's"
reg="$TMP/mirror/registry"
mkdir -p "$reg/manifests/org.test/fake-pod/0.1.0" "$reg/artifacts"
for a in amd64:musl-gcc aarch64:aarch64-linux-gnu-gcc; do
	w=$(mktemp -d "$TMP/pod.XXXXXX")
	printf 'int main(void) { return 0; }\n' > "$w/p.c"
	${a#*:} -static -Os -s -o "$w/pod-fake" "$w/p.c"
	(cd "$w" && zip -q "$reg/artifacts/pod-fake-linux-${a%%:*}.zip" pod-fake)
	cp "$w/pod-fake" "$TMP/pod-fake-${a%%:*}"
done
printf 'not a linux binary' > "$reg/artifacts/pod-fake-macos-aarch64.zip"
cat > "$reg/manifests/org.test/fake-pod/0.1.0/manifest.edn" <<EDN
{:pod/name org.test/fake-pod
 :pod/version "0.1.0"
 :pod/artifacts
 [{:os/name "Mac.*" :os/arch "aarch64"
   :artifact/url "$RELEASE_URL/registry/artifacts/pod-fake-macos-aarch64.zip"
   :artifact/executable "pod-fake"}
  {:os/name "Linux.*" :os/arch "amd64"
   :artifact/url "$RELEASE_URL/registry/artifacts/pod-fake-linux-amd64.zip"
   :artifact/executable "pod-fake"}
  {:os/name "Linux.*" :os/arch "aarch64"
   :artifact/url "$RELEASE_URL/registry/artifacts/pod-fake-linux-aarch64.zip"
   :artifact/executable "pod-fake"}]}
EDN
printf '{:paths ["src"] :pods {org.test/fake-pod {:version "0.1.0"}}}\n' > bb.edn
BLAMBDA_POD_REGISTRY_URL=$RELEASE_URL/registry blambda build --deps-layer --arch arm64
expect_status 0
expect_out_has "target/deps-layer-arm64.zip"
pod=.babashka/pods/repository/org.test/fake-pod/0.1.0/linux/aarch64/pod-fake
unzip -p target/deps-layer-arm64.zip "$pod" | cmp -s - "$TMP/pod-fake-aarch64" && pass || fail "not the linux/aarch64 pod"
unzip -Z target/deps-layer-arm64.zip "$pod" | grep -q '^-rwxr-xr-x' && pass || fail "the pod is not executable"
unzip -p target/deps-layer-arm64.zip .babashka/pods/repository/org.test/fake-pod/0.1.0/manifest.edn | grep -q ':pod/name org.test/fake-pod' \
	&& pass || fail "no manifest in the layer"
BLAMBDA_POD_REGISTRY_URL=$RELEASE_URL/registry blambda build --deps-layer --arch x86_64
expect_status 0
unzip -p target/deps-layer-x86_64.zip .babashka/pods/repository/org.test/fake-pod/0.1.0/linux/x86_64/pod-fake \
	| cmp -s - "$TMP/pod-fake-amd64" && pass || fail "not the linux/x86_64 pod"
printf '{:pods {org.test/fake-pod {:version "0.2.0"}}}\n' > bb.edn
BLAMBDA_POD_REGISTRY_URL=$RELEASE_URL/registry blambda build --deps-layer
expect_status 4
expect_err_has "manifests/org.test/fake-pod/0.2.0/manifest.edn': HTTP 404"
printf '{:pods {org.test/fake-pod {:path "/nonexistent/pod"}}}\n' > bb.edn
blambda build --deps-layer
expect_status 2
expect_err_has "local pod org.test/fake-pod at '/nonexistent/pod' is not a file"
printf '{:pods {org.test/fake-pod {}}}\n' > bb.edn
blambda build --deps-layer
expect_status 2
expect_err_has "pod org.test/fake-pod needs {:version \"...\"} or {:path \"...\"}"

test_case "a local pod ({:path ...}) goes to the top of the layer, executable, and follows its file"
mkdir -p bin && cp "$TMP/pod-fake-amd64" bin/my-pod
printf '{:pods {my/pod {:path "bin/my-pod"}}}\n' > bb.edn
blambda build --deps-layer
expect_status 0
unzip -Z target/deps-layer-x86_64.zip my-pod | grep -q '^-rwxr-xr-x' && pass || fail "my-pod is not at the layer's top, executable"
unzip -p target/deps-layer-x86_64.zip my-pod | cmp -s - bin/my-pod && pass || fail "my-pod differs"
blambda build --deps-layer
expect_out_has "up to date"
printf 'changed' >> bin/my-pod
blambda build --deps-layer
expect_out_has "built"
mkdir -p other && cp bin/my-pod other/my-pod
printf '{:pods {my/pod {:path "bin/my-pod"} my/pod2 {:path "other/my-pod"}}}\n' > bb.edn
blambda build --deps-layer
expect_status 2
expect_err_has "two local pods are named 'my-pod'"
printf '{:pods {my/pod {:path "/dev/zero"}}}\n' > bb.edn
run timeout 20 "$BLAMBDA" build --deps-layer
expect_status 2
expect_err_has "at '/dev/zero' is not a file"
cp bin/my-pod bin/blambda
printf '{:pods {my/pod {:path "bin/blambda"}}}\n' > bb.edn
blambda build --deps-layer
expect_status 2
expect_err_has "is named 'blambda', which cannot go at the top of the layer"
printf '{:pods {my/pod {:path "bin/bootstrap"}}}\n' > bb.edn && cp bin/my-pod bin/bootstrap
blambda build --deps-layer
expect_status 2
expect_err_has "is named 'bootstrap', which cannot go at the top of the layer"
printf '{:paths ["src"]}\n' > bb.edn

test_case "pod coordinates cannot climb out of the layer or the registry"
mkdir -p "$TMP/escape-here"
for coords in 'org.test/fake-pod {:version "../../../elsewhere"}' 'org.test/fake-pod {:version "0.1.0/../../x"}' \
	'../x/y {:version "1"}' 'org.test/.. {:version "1"}' 'org.test/fake-pod {:version ".."}'; do
	printf '{:pods {%s}}\n' "$coords" > bb.edn
	BLAMBDA_POD_REGISTRY_URL=$RELEASE_URL/registry blambda build --deps-layer
	expect_status 2
	case "$err" in *"is not a plain qualified name"*|*"a version is letters, digits"*) pass ;; *) fail "not refused: $coords" ;; esac
done
[ -z "$(ls -A "$TMP/escape-here")" ] && pass || fail "something was written outside: $(ls -A "$TMP/escape-here")"
[ -z "$(find "$TMP" -name manifest.edn -not -path '*/registry/*')" ] && pass || fail "a manifest was written: $(find "$TMP" -name manifest.edn -not -path '*/registry/*')"

test_case "a manifest without :artifact/hash is warned about"
printf '{:pods {org.test/fake-pod {:version "0.1.0"}}}\n' > bb.edn
BLAMBDA_POD_REGISTRY_URL=$RELEASE_URL/registry blambda build --deps-layer --force
expect_status 0
expect_err_has "the manifest of pod org.test/fake-pod 0.1.0 gives no :artifact/hash: its download cannot be checked"
printf '{:paths ["src"]}\n' > bb.edn

test_case "--json lists every artifact"
blambda build --json
expect_status 0
expect_json "[a['kind'] for a in d['artifacts']] == ['runtime-layer', 'function'] and all(len(a['sha256']) == 64 for a in d['artifacts'])"

test_case "size limits: over 50 MB without an S3 bucket, over 250 MB unzipped"
head -c 55000000 /dev/urandom > src/big.bin
blambda build --function
expect_status 1
expect_err_has "'target/function.zip' is"
expect_err_has "Lambda takes at most 50 MB without S3; the biggest entries: big.bin in target/function.zip (52.5 MB)"
expect_err_has "hint: set aws.s3-bucket"
BLAMBDA_S3_BUCKET=my-artifacts blambda build --function
expect_status 0
rm src/big.bin
truncate -s 270000000 src/zeros.bin
blambda build
expect_status 1
expect_err_has "the function and its layers unzip to"
expect_err_has "Lambda allows 250 MB; the biggest entries: zeros.bin in target/function.zip (257.5 MB)"
rm src/zeros.bin

test_case "an empty source directory: a clear error, not a crash"
mkdir -p "$TMP/empty/src" && cd "$TMP/empty" || exit 1
printf 'function:\n  name: empty\n  handler: empty/handler\n' > blambda.yml
blambda build --function
expect_status 2
expect_err_has "the source paths (default) hold no files"

test_case "a bb.edn at the top of a source path stays out of the function zip, said once"
mkdir -p "$TMP/bbedn/src" && cd "$TMP/bbedn" || exit 1
printf 'function:\n  name: bbedn\n  handler: bbedn/handler\n  source-paths: [src]\n' > blambda.yml
printf '(ns bbedn)\n(defn handler [e c] e)\n' > src/bbedn.clj
printf '{:pods {org.babashka/x {:version "1"}}}\n' > src/bb.edn
mkdir -p src/sub && printf '{}\n' > src/sub/bb.edn
blambda build --function
expect_status 0
expect_err_has "leaving 'src/bb.edn' out of the function zip"
[ "$(unzip -Z1 target/function.zip | tr '\n' ' ')" = "bbedn.clj sub/bb.edn " ] && pass || fail "the zip holds: $(unzip -Z1 target/function.zip | tr '\n' ' ')"

finish
