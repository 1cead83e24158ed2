;; The Babashka side of blambda's Lambda runtime.
;;
;; bootstrap (runtime/bootstrap.c) starts this once per execution environment
;; and talks to it over two pipes, named by BLAMBDA_EVENTS and BLAMBDA_ANSWERS:
;; for each invocation it writes the Runtime API's /next headers as one JSON
;; line and the event as another; this answers with one line:
;;
;;   I               the handler is loaded (once, at start)
;;   FTYPE<tab>JSON  the handler cannot be loaded: the init error
;;   RJSON           the handler's return value, JSON-encoded
;;   ETYPE<tab>JSON  the handler threw: errorMessage, errorType, stackTrace
;;
;; stdout and stderr are left alone: they are the function's log.
;;
;; This file uses only what Babashka has built in (clojure.core, cheshire and
;; Java classes on bb's allowlist, always written out in full), so that it runs
;; on bb in Lambda and on the JVM in tests. Every Java class it names is
;; checked against bb's list by the test suite.
(ns blambda.runtime
  (:require [cheshire.core :as json]
            [clojure.java.io :as io]
            [clojure.string :as str]))

(defn- handler-frames
  "A stack trace as strings, without the runtime's own frames and what called
  them (the runtime's loop, the interpreter): from the first frame of
  blambda.runtime on, nothing is the function's."
  [^java.lang.Throwable e]
  (into [] (comp (map str) (take-while #(not (str/starts-with? % "blambda.runtime"))))
        (.getStackTrace e)))

(defn- data-text
  "ex-data as EDN, the way the developer wrote it ({:id 7}), bounded so that
  a large map cannot make the error report too large to post."
  [data]
  (binding [*print-length* 50 *print-level* 6]
    (let [s (pr-str data)]
      (if (> (count s) 4000) (str (subs s 0 4000) "...") s))))

(defn- error-map
  "What Lambda users expect of a failure: errorMessage, errorType (the
  exception's class) and stackTrace; then errorData, the ex-data as EDN when
  there is any, and cause, the same for the exception's cause (as the Java
  runtime reports it), at most ten deep."
  ([e] (error-map e 0))
  ([^java.lang.Throwable e depth]
   (let [data (not-empty (dissoc (ex-data e) ::type))
         cause (.getCause e)]
     (cond-> {:errorMessage (or (.getMessage e) (str e))
              :errorType (.getName ^java.lang.Class (class e))
              :stackTrace (handler-frames e)}
       data (assoc :errorData (data-text data))
       (and cause (not (identical? cause e)) (< depth 10)) (assoc :cause (error-map cause (inc depth)))))))

(defn- error-type
  "An error type fit for the protocol line and the Runtime API's header: a
  handler's own type (ex-data) may hold anything; control characters (a line
  break would put the next answer out of step) become '_'."
  [t]
  (str/replace (str t) #"[\x00-\x1f\x7f]" "_"))

(defn- answer!
  "One line on the answer pipe."
  [^java.io.Writer out & parts]
  (doseq [p parts] (.write out ^java.lang.String p))
  (.write out "\n")
  (.flush out))

(defn- parse-json-or-nil [s]
  (when-not (str/blank? s)
    (try (json/parse-string s true) (catch java.lang.Exception _ nil))))

(defn- parse-long-or-nil [s]
  (when s
    (try (java.lang.Long/parseLong (str/trim s)) (catch java.lang.Exception _ nil))))

(defn remaining-time-ms
  "Milliseconds left before the invocation's deadline, as other runtimes'
  getRemainingTimeInMillis: (blambda.runtime/remaining-time-ms context). 0
  when the deadline is past or unknown."
  [context]
  (if-let [deadline (:deadline-ms context)]
    (max 0 (- deadline (java.lang.System/currentTimeMillis)))
    0))

(defn context
  "The context handed to the handler: plain data (it can be JSON-encoded or
  printed as it is). It keeps Blambda!'s keys (the Runtime API headers,
  lower-case strings) and adds keyword keys; the time left is
  (remaining-time-ms context)."
  [headers]
  (let [getenv (fn [k] (java.lang.System/getenv k))
        deadline (parse-long-or-nil (get headers "lambda-runtime-deadline-ms"))]
    (merge headers
           {:request-id (get headers "lambda-runtime-aws-request-id")
            :deadline-ms deadline
            :invoked-function-arn (get headers "lambda-runtime-invoked-function-arn")
            :function-name (getenv "AWS_LAMBDA_FUNCTION_NAME")
            :function-version (getenv "AWS_LAMBDA_FUNCTION_VERSION")
            :memory-limit-in-mb (parse-long-or-nil (getenv "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
            :log-group-name (getenv "AWS_LAMBDA_LOG_GROUP_NAME")
            :log-stream-name (getenv "AWS_LAMBDA_LOG_STREAM_NAME")
            :trace-id (get headers "lambda-runtime-trace-id")
            :client-context (parse-json-or-nil (get headers "lambda-runtime-client-context"))
            :identity (parse-json-or-nil (get headers "lambda-runtime-cognito-identity"))})))

(defn- set-trace-id!
  "What _X_AMZN_TRACE_ID is in other runtimes: the Java runtime's system
  property, which the X-Ray SDKs read."
  [trace-id]
  (if trace-id
    (java.lang.System/setProperty "com.amazonaws.xray.traceHeader" trace-id)
    (java.lang.System/clearProperty "com.amazonaws.xray.traceHeader")))

(defn- load-handler
  "Resolve \"ns/fn\" to its Var, requiring the namespace. The Var, not its
  value, is called for every event (as Blambda! does), so alter-var-root and
  a redefinition from a REPL take effect. Throws ex-info with ::type
  \"Runtime.NoSuchHandler\" when the namespace or var is not there."
  [spec]
  (let [[ns-name fn-name] (str/split spec #"/" 2)
        ns-sym (symbol ns-name)]
    ;; said as `blambda build` says it when it checks the handler
    (try
      (require ns-sym)
      (catch java.io.FileNotFoundException e
        (throw (ex-info (str "handler '" spec "': namespace " ns-name " is not on the classpath (no "
                             (-> ns-name (str/replace "." "/") (str/replace "-" "_"))
                             ".clj in the function or its layers): " (.getMessage e))
                        {::type "Runtime.NoSuchHandler"}))))
    (or (ns-resolve ns-sym (symbol fn-name))
        (throw (ex-info (str "handler '" spec "': namespace " ns-name " defines no '" fn-name "'")
                        {::type "Runtime.NoSuchHandler"})))))

(defn http-event?
  "Whether an event came from an HTTP front: a function URL or API Gateway's
  HTTP API (payload format 2.0: requestContext.http), a REST API or a load
  balancer (1.0: httpMethod)."
  [event]
  (boolean (and (map? event)
                (or (map? (get-in event [:requestContext :http]))
                    (string? (:httpMethod event))))))

(defn ring->lambda
  "A Ring-style response, a map with an integer :status ({:status 200
  :headers {...} :body \"...\"}), as function URLs and API Gateway expect it:
  statusCode, headers, cookies and body. Header names become strings, a
  header without a value is left out, one with several values is joined
  with commas, Set-Cookie headers become the cookies list (a cookie's date
  holds a comma), a body that is a sequence of strings is joined and any
  other body that is not a string is sent as its JSON. Anything else, a map
  with :statusCode included, is returned as it is. The runtime applies it
  to the answers to HTTP events; a handler may call it itself."
  [result]
  (if (and (map? result) (integer? (:status result)) (not (contains? result :statusCode)))
    (let [headers (for [[k v] (when (map? (:headers result)) (:headers result))
                        :when (some? v)]
                    [(if (keyword? k) (name k) (str k)) v])
          cookie? (fn [[k _]] (= "set-cookie" (str/lower-case k)))
          cookies (mapcat (fn [[_ v]] (if (sequential? v) (map str v) [(str v)])) (filter cookie? headers))
          body (:body result)]
      (cond-> {:statusCode (:status result)}
        (seq (remove cookie? headers))
        (assoc :headers (into {} (map (fn [[k v]] [k (if (sequential? v) (str/join "," (map str v)) (str v))]))
                              (remove cookie? headers)))
        (seq cookies) (assoc :cookies (vec cookies))
        (contains? result :body)
        (assoc :body (cond (string? body) body
                           (nil? body) ""
                           (and (sequential? body) (every? string? body)) (apply str body)
                           :else (json/generate-string body)))
        (contains? result :isBase64Encoded)
        (assoc :isBase64Encoded (boolean (:isBase64Encoded result)))))
    result))

(defn -main []
  (let [in (io/reader (java.lang.System/getenv "BLAMBDA_EVENTS") :encoding "UTF-8")
        out (io/writer (java.lang.System/getenv "BLAMBDA_ANSWERS") :encoding "UTF-8")
        spec (java.lang.System/getenv "_HANDLER")
        handler (try
                  (load-handler spec)
                  (catch java.lang.Throwable e
                    (let [m (error-map e)
                          type (or (::type (ex-data e)) (:errorType m))]
                      (binding [*out* *err*]
                        (println "Failed to load handler" spec ":" (:errorMessage m)))
                      (let [type (error-type type)]
                        (answer! out "F" type "\t" (json/generate-string (assoc m :errorType type))))
                      nil)))]
    (when handler
      (answer! out "I")
      (loop []
        (let [headers-line (.readLine ^java.io.BufferedReader in)
              event-line (when headers-line (.readLine ^java.io.BufferedReader in))]
          (when event-line
            (try
              (let [headers (json/parse-string headers-line)
                    ;; an event that is not JSON fails this invocation, not the runtime
                    event (try (json/parse-string event-line true)
                               (catch java.lang.Exception e
                                 (throw (ex-info (str "The event is not JSON: " (.getMessage e))
                                                 {::type "Runtime.InvalidEvent"}))))]
                (set-trace-id! (get headers "lambda-runtime-trace-id"))
                (let [result (handler event (context headers))]
                  ;; a handler's value goes as its JSON, unchanged, unless it answers an HTTP front
                  (answer! out "R" (json/generate-string (if (http-event? event) (ring->lambda result) result)))))
              (catch java.lang.Throwable e
                (let [m (error-map e)
                      m (assoc m :errorType (error-type (or (::type (ex-data e)) (:errorType m))))]
                  (binding [*out* *err*]
                    (println "Handler error:" (:errorType m) (:errorMessage m)))
                  (answer! out "E" (:errorType m) "\t" (json/generate-string m)))))
            (flush)
            (recur)))))))

(-main)
