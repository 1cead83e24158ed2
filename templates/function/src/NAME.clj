(ns {{ns}}
  "The {{name}} Lambda function.")

(defn handler
  "Called by the runtime for every event: `event` is the invocation's JSON
  with keyword keys, `context` describes the invocation (:request-id,
  :deadline-ms, :function-name, ...; the time left is
  (blambda.runtime/remaining-time-ms context)). The return value is sent
  back as JSON."
  [event context]
  (let [name (or (:name event) "Blambda")]
    (println "Greeting" name "in request" (:request-id context))
    {:greeting (str "Hello " name "!")}))
