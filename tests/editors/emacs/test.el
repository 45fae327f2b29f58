;;; test.el --- drives eglot + flymake against `copydesk lsp' in batch mode  -*- lexical-binding: t -*-
;; Run by tests/editors/emacs-eglot.sh.  Environment: COPYDESK_LSP_CMD, WS, DRAFT,
;; EXPECT_TEXT, EXPECT_LINE, STEP_TIMEOUT.

(require 'package)
(dolist (d '("/usr/share/emacs/site-lisp/elpa" "/usr/share/emacs/site-lisp/elpa-src"))
  (when (file-directory-p d) (add-to-list 'package-directory-list d)))
(package-initialize)                    ; Debian's elpa-* packages (eglot, markdown-mode)
(require 'eglot)
(require 'flymake)
(unless (require 'markdown-mode nil t)
  (define-derived-mode markdown-mode text-mode "Markdown"))

(defvar copydesk-test-passed 0)
(defvar copydesk-test-failed 0)
(defun copydesk-test-result (ok name &optional detail)
  (if ok
      (progn (setq copydesk-test-passed (1+ copydesk-test-passed))
             (princ (format "ok   - %s\n" name)))
    (setq copydesk-test-failed (1+ copydesk-test-failed))
    (princ (format "FAIL - %s%s\n" name (if detail (format ": %s" detail) "")))))

(defun copydesk-test-wait (pred timeout)
  "Process events until PRED is non-nil or TIMEOUT seconds pass."
  (let ((deadline (+ (float-time) timeout)) (v nil))
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    v))

;; --- The configuration under test (the one in editors/README.md) ---------
(defun copydesk-project-find (dir)
  "A project rooted at the nearest folder holding copydesk.toml."
  (let ((root (locate-dominating-file dir "copydesk.toml")))
    (and root (cons 'transient (expand-file-name root)))))
(add-hook 'project-find-functions #'copydesk-project-find)

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((markdown-mode text-mode) . (,(or (getenv "COPYDESK_LSP_CMD") "copydesk") "lsp"))))
(setq-default eglot-workspace-configuration
              '((:copydesk . (:severity (:number-mismatch "warning") :debounceMs 150))))
(add-hook 'markdown-mode-hook #'eglot-ensure)
(add-hook 'text-mode-hook #'eglot-ensure)
;; ---------------------------------------------------------------------------

(setq eglot-sync-connect 5
      eglot-connect-timeout 30
      flymake-no-changes-timeout 0.2)

(let* ((ws (file-name-as-directory (file-truename (getenv "WS"))))
       (draft (getenv "DRAFT"))
       (expect (or (getenv "EXPECT_TEXT") "84,300"))
       (expect-line (string-to-number (or (getenv "EXPECT_LINE") "3")))
       (timeout (string-to-number (or (getenv "STEP_TIMEOUT") "30")))
       (figure-pos nil))
  (princ (format "# GNU Emacs %s, eglot %s\n" emacs-version
                 (or (ignore-errors (package-desc-version (cadr (assq 'eglot package-alist)))) "?")))
  (condition-case err
      (progn
        (find-file draft)
        (copydesk-test-result (derived-mode-p 'markdown-mode) "draft opens in markdown-mode" major-mode)
        ;; eglot-ensure acts from post-command-hook, which batch mode never runs.
        (unless (eglot-current-server) (call-interactively #'eglot))
        (save-excursion
          (goto-char (point-min))
          (forward-line (1- expect-line))
          (when (search-forward expect (line-end-position) t)
            (setq figure-pos (match-beginning 0))))
        (copydesk-test-result figure-pos (format "draft line %d contains %s" expect-line expect))
        (let ((server (copydesk-test-wait #'eglot-current-server timeout)))
          (copydesk-test-result server "eglot connected to copydesk lsp")
          (when server
            (copydesk-test-result
             (equal (file-truename (project-root (eglot--project server))) ws)
             "eglot's project root is the folder holding copydesk.toml"
             (project-root (eglot--project server)))))
        (copydesk-test-result (bound-and-true-p flymake-mode) "flymake-mode is on")
        (let ((diag (and figure-pos
                         (copydesk-test-wait
                          (lambda ()
                            (flymake-start)
                            (seq-find (lambda (d) (and (<= (flymake-diagnostic-beg d) figure-pos)
                                                       (< figure-pos (flymake-diagnostic-end d))))
                                      (flymake-diagnostics)))
                          timeout))))
          (copydesk-test-result diag (format "a flymake diagnostic covers %s" expect)
                                (format "diagnostics: %S"
                                        (mapcar (lambda (d) (list (line-number-at-pos (flymake-diagnostic-beg d))
                                                                  (flymake-diagnostic-text d)))
                                                (flymake-diagnostics))))
          (when diag
            (princ (format "# %s\n" (flymake-diagnostic-text diag)))))
        (ignore-errors (eglot-shutdown (eglot-current-server))))
    (error (copydesk-test-result nil "test script error" (error-message-string err))))
  (princ (format "%d passed, %d failed\n" copydesk-test-passed copydesk-test-failed))
  (kill-emacs (if (zerop copydesk-test-failed) 0 1)))
