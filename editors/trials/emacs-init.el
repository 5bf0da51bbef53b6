;;; emacs-init.el --- trial of the Emacs setup of editors/README.md  -*- lexical-binding: t -*-
;; The block between the markers is that section's configuration, copied verbatim (run.sh
;; checks that it still is); the driver then plays the trial (see emacs-driver.el).
;; README:begin
(define-derived-mode quint-mode prog-mode "Quint"
  (setq-local comment-start "// "))
(add-to-list 'auto-mode-alist '("\\.qnt\\'" . quint-mode))
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(quint-mode "spec" "lsp")))
(add-hook 'quint-mode-hook #'eglot-ensure)
;; README:end
(load (expand-file-name "emacs-driver.el" (getenv "TRIAL_DIR")) nil t)
