;;; emacs-driver.el --- drives Emacs + eglot through the trial  -*- lexical-binding: t -*-
;;
;; Run by run.sh as `emacs --batch -q -l emacs-init.el'. It visits TRIAL_WS/main.qnt (which
;; imports lib.qnt and holds a deliberate type error) and writes to TRIAL_OUT, as plain text
;; in the same layout as the Neovim trials, what eglot received: Flymake's diagnostics,
;; hover, `xref' definitions and references, `eglot-rename' started in lib.qnt, and
;; main.qnt's diagnostics after an unsaved edit of lib.qnt.
;;
;; Batch Emacs has no command loop, so the driver does the two things it would do: run
;; `post-command-hook' after the command that visits a file (that is when `eglot-ensure'
;; connects), and run the idle timers after an edit (that is when eglot sends didChange and
;; Flymake asks for diagnostics). Every wait is bounded and waits for an event.

(require 'cl-lib)
(require 'subr-x)

(defvar trial-ws (file-truename (getenv "TRIAL_WS")))
(defvar trial-out (getenv "TRIAL_OUT"))
(defvar trial-lines nil)
(defconst trial-wait-seconds 20)

(defun trial-say (fmt &rest args)
  (push (apply #'format fmt args) trial-lines))

(defun trial-finish (code)
  (with-temp-file trial-out
    (insert (string-join (reverse trial-lines) "\n") "\n"))
  (kill-emacs code))

(defun trial-rel (file)
  (let ((true (file-truename file)))
    (if (string-prefix-p (file-name-as-directory trial-ws) true)
        (file-relative-name true trial-ws)
      true)))

(defvar trial-publications (make-hash-table :test 'equal)
  "How many diagnostics publications eglot handled, by file.")

(advice-add 'eglot-handle-notification :after
            (lambda (_server method &rest params)
              (when (eq method 'textDocument/publishDiagnostics)
                (let ((file (file-truename (eglot--uri-to-path (plist-get params :uri)))))
                  (puthash file (1+ (gethash file trial-publications 0)) trial-publications)))))

(defun trial-publications (buffer)
  (gethash (file-truename (buffer-file-name buffer)) trial-publications 0))

(defun trial-command-loop-turn ()
  "What the command loop does between two commands: post-command-hook, then idle timers."
  (run-hooks 'post-command-hook)
  (dolist (timer (copy-sequence timer-idle-list))
    (when (memq timer timer-idle-list)
      (timer-event-handler timer))))

(defun trial-wait-for (what predicate)
  (let ((deadline (+ (float-time) trial-wait-seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.02)
      (trial-command-loop-turn))
    (unless (funcall predicate)
      (trial-say "TIMEOUT waiting for %s" what)
      (trial-finish 1))))

(defun trial-open (name)
  (let ((buffer (find-file (expand-file-name name trial-ws))))
    (trial-command-loop-turn)
    buffer))

(defun trial-goto (needle)
  "Put point inside the first NEEDLE of the current buffer."
  (goto-char (point-min))
  (search-forward needle)
  (goto-char (1+ (match-beginning 0))))

(defun trial-diagnostics (buffer)
  (with-current-buffer buffer
    (sort
     (mapcar
      (lambda (d)
        (save-excursion
          (goto-char (flymake-diagnostic-beg d))
          (format "%s:%d:%d %s %s"
                  (trial-rel buffer-file-name)
                  (line-number-at-pos) (1+ (current-column))
                  (pcase (flymake-diagnostic-type d)
                    ('eglot-error "error") ('eglot-warning "warning") (_ "note"))
                  (car (split-string (flymake-diagnostic-text d) "\n")))))
      (flymake-diagnostics))
     #'string<)))

(defun trial-xref-text (items)
  (sort
   (mapcar (lambda (item)
             (let ((loc (xref-item-location item)))
               (format "%s:%d:%d" (trial-rel (xref-file-location-file loc))
                       (xref-file-location-line loc)
                       (1+ (xref-file-location-column loc)))))
           items)
   #'string<))

(defun trial-hover-text (hover)
  (let* ((contents (plist-get hover :contents))
         (text (cond ((null contents) nil)
                     ((stringp contents) contents)
                     ((plist-get contents :value))
                     (t (format "%S" contents)))))
    (if (null text)
        "(nothing)"
      (string-join
       (cl-remove-if (lambda (l) (or (string-empty-p l) (string-prefix-p "```" l)))
                     (split-string text "\n"))
       " | "))))

(defun trial-run ()
  (let ((main (trial-open "main.qnt")) lib first-diagnostics publications-before-rename)
    (with-current-buffer main
      (trial-say "filetype of main.qnt: %s" (if (eq major-mode 'quint-mode) "quint" major-mode)))
    (trial-wait-for "eglot to manage main.qnt"
                    (lambda () (buffer-local-value 'eglot--managed-mode main)))
    (trial-wait-for "diagnostics of main.qnt"
                    (lambda () (trial-diagnostics main)))
    (trial-say "== diagnostics of main.qnt")
    (dolist (l (trial-diagnostics main)) (trial-say "%s" l))
    (setq first-diagnostics (trial-diagnostics main))

    (with-current-buffer main
      (trial-say "== hover on `base' in main.qnt")
      (trial-goto "base")
      (trial-say "%s" (trial-hover-text
                       (jsonrpc-request (eglot-current-server) :textDocument/hover
                                        (eglot--TextDocumentPositionParams))))
      (trial-say "== hover on the unknown name `stepSize' in main.qnt")
      (trial-goto "stepSize")
      (trial-say "%s" (trial-hover-text
                       (jsonrpc-request (eglot-current-server) :textDocument/hover
                                        (eglot--TextDocumentPositionParams))))
      (trial-say "== hover on the record field `balance' in `acct.balance' in main.qnt")
      (trial-goto "acct.balance")
      (forward-char 5)
      (trial-say "%s" (trial-hover-text
                       (jsonrpc-request (eglot-current-server) :textDocument/hover
                                        (eglot--TextDocumentPositionParams))))
      (trial-say "== definition of `double' from main.qnt")
      (trial-goto "double")
      (trial-say "%s" (string-join
                       (trial-xref-text
                        (xref-backend-definitions
                         'eglot (xref-backend-identifier-at-point 'eglot)))
                       ", ")))

    (setq lib (trial-open "lib.qnt"))
    (trial-wait-for "eglot to manage lib.qnt"
                    (lambda () (buffer-local-value 'eglot--managed-mode lib)))
    (trial-say "spec servers running: %d"
               (let ((n 0))
                 (maphash (lambda (_project servers) (setq n (+ n (length servers))))
                          eglot--servers-by-project)
                 n))
    (with-current-buffer lib
      (trial-say "root of the spec server: %s"
                 (let ((root (file-truename (project-root (eglot--project (eglot-current-server))))))
                   (if (equal (file-name-as-directory root) (file-name-as-directory trial-ws))
                       "(the workspace)" root)))
      (trial-say "== references of `double' from lib.qnt")
      (trial-goto "double")
      (dolist (l (trial-xref-text
                  (xref-backend-references 'eglot (xref-backend-identifier-at-point 'eglot))))
        (trial-say "%s" l))
      (setq publications-before-rename (trial-publications main))
      (trial-say "== rename `double' to `twice' from lib.qnt")
      (trial-goto "double")
      ;; other.qnt is not visited, so eglot asks before editing it: the driver answers yes.
      (cl-letf (((symbol-function 'y-or-n-p)
                 (lambda (prompt)
                   (let ((lines (split-string prompt "\n" t " +")))
                     (trial-say "eglot asks: %s %s" (car lines)
                                (string-join (sort (mapcar #'trial-rel (butlast (cdr lines))) #'string<) ", ")))
                   t)))
        (eglot-rename "twice"))
      (trial-say "lib.qnt line 4 after rename: %s"
                 (string-trim (save-excursion (goto-char (point-min)) (forward-line 3)
                                              (thing-at-point 'line t)))))
    (with-current-buffer main
      (with-current-buffer (find-buffer-visiting (expand-file-name "other.qnt" trial-ws))
        (trial-say "other.qnt (not open before) line 4 after rename: %s"
                   (string-trim (save-excursion (goto-char (point-min)) (forward-line 3)
                                                (thing-at-point 'line t)))))
      (dolist (n '(6 7))
        (trial-say "main.qnt line %d after rename: %s" n
                   (string-trim (save-excursion (goto-char (point-min)) (forward-line (1- n))
                                                (thing-at-point 'line t))))))

;; The rename changed the three buffers; their didChange notifications reach the server one
    ;; after the other, so main.qnt may first be checked against the old lib.qnt (an
    ;; unknown `twice' or `double'), and a publication started before the rename may still
    ;; arrive.  Once both changes are in, main.qnt's type error has moved (`twice' is
    ;; shorter) and no diagnostic names either function.
    (trial-say "== diagnostics of main.qnt after the rename")
    (trial-wait-for "main.qnt's diagnostics of the renamed text"
                    (lambda ()
                      (let ((now (trial-diagnostics main)))
                        (and (> (trial-publications main) publications-before-rename)
                             (not (equal now first-diagnostics))
                             (not (cl-some (lambda (l) (or (string-match-p "`twice`" l)
                                                           (string-match-p "`double`" l)))
                                           now))))))
    (dolist (l (trial-diagnostics main)) (trial-say "%s" l))

    (trial-say "== main.qnt after the unsaved edit `base' -> `start' in lib.qnt")
    (let ((before (trial-diagnostics main)))
      (with-current-buffer lib
        (goto-char (point-min))
        (search-forward "base")
        (replace-match "start" t t))
      (trial-command-loop-turn)
      (trial-wait-for "main.qnt's diagnostics to be published again"
                      (lambda () (not (equal (trial-diagnostics main) before)))))
    (dolist (l (trial-diagnostics main)) (trial-say "%s" l))
    (trial-finish 0)))

(condition-case err
    (trial-run)
  (error (trial-say "DRIVER ERROR: %S" err)
         (trial-finish 1)))
