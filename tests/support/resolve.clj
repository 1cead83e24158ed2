;; The dependency resolution of `clojure -Spath`, for the tests: reads
;; deps.edn in the current directory, fetches every :mvn/version dependency
;; and the dependencies its POM names (compile and runtime scope) from the
;; Maven repository directory in BLAMBDA_TEST_MAVEN_REPO into :mvn/local-repo,
;; and prints the classpath. No network: the repository is a local file tree
;; built from jars Debian installs.
(require '[clojure.edn :as edn]
         '[clojure.java.io :as io]
         '[clojure.string :as str])

(def deps-edn (edn/read-string (slurp "deps.edn")))
(def local-repo (:mvn/local-repo deps-edn))
(def remote (or (System/getenv "BLAMBDA_TEST_MAVEN_REPO")
                (throw (ex-info "BLAMBDA_TEST_MAVEN_REPO is not set" {}))))

(defn coord-path [group artifact version ext]
  (str (str/replace group "." "/") "/" artifact "/" version "/" artifact "-" version "." ext))

(defn fetch! [group artifact version]
  (doseq [ext ["pom" "jar"]]
    (let [rel (coord-path group artifact version ext)
          src (io/file remote rel)
          dst (io/file local-repo rel)]
      (when-not (.exists src)
        (binding [*out* *err*] (println "Could not find artifact" (str group ":" artifact ":" version)))
        (System/exit 1))
      (io/make-parents dst)
      (io/copy src dst)))
  (str local-repo "/" (coord-path group artifact version "jar")))

(defn pom-deps [group artifact version]
  (let [pom (slurp (io/file local-repo (coord-path group artifact version "pom")))]
    (for [[_ body] (re-seq #"(?s)<dependency>(.*?)</dependency>" pom)
          :let [tag (fn [t] (second (re-find (re-pattern (str "<" t ">\\s*([^<]*?)\\s*</" t ">")) body)))
                scope (or (tag "scope") "compile")]
          :when (and (#{"compile" "runtime"} scope) (not= "true" (tag "optional")))]
      [(tag "groupId") (tag "artifactId") (tag "version")])))

(def classpath
  (loop [todo (for [[lib {:keys [mvn/version]}] (:deps deps-edn)]
                [(or (namespace lib) (name lib)) (name lib) version])
         seen #{}
         jars []]
    (if-let [[g a v :as c] (first todo)]
      (if (seen [g a])
        (recur (rest todo) seen jars)
        (let [jar (fetch! g a v)]
          (recur (concat (rest todo) (pom-deps g a v)) (conj seen [g a]) (conj jars jar))))
      jars)))

(println (str/join ":" (sort classpath)))
