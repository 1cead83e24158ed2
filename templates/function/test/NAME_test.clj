(ns {{ns}}-test
  (:require [clojure.test :refer [deftest is]]
            [{{ns}} :refer [handler]]))

(deftest greets-by-name
  (is (= {:greeting "Hello Ada!"} (handler {:name "Ada"} {}))))

(deftest greets-anyone
  (is (= {:greeting "Hello Blambda!"} (handler {} {}))))
