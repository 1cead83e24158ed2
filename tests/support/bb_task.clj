;; `bb TASK` for the Babashka stand-in: runs a task of ./bb.edn as Babashka
;; does for the simple form the template writes: {:extra-paths [...]
;; :requires (...) :task FORM}, with bb.edn's :paths and the task's
;; :extra-paths on the classpath.

(let [[task-name & args] *command-line-args*
      bb (binding [*read-eval* false] (read-string (slurp "bb.edn")))
      task (get-in bb [:tasks (symbol task-name)])
      _ (when-not task
          (binding [*out* *err*]
            (println (str "bb: no task " task-name " in bb.edn"))
            (System/exit 1)))
      task (if (map? task) task {:task task})
      paths (concat (:paths bb) (:extra-paths task))
      loader (clojure.lang.DynamicClassLoader. (.getContextClassLoader (Thread/currentThread)))]
  (doseq [p paths]
    (.addURL loader (.toURL (.toURI (java.io.File. (str p))))))
  (.setContextClassLoader (Thread/currentThread) loader)
  (with-bindings {clojure.lang.Compiler/LOADER loader
                  #'*ns* (create-ns 'user)
                  #'*command-line-args* args}
    (refer-clojure)
    (doseq [r (:requires task)]
      (require r))
    (eval (:task task))))
