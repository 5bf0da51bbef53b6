//! A token ledger in the style of ERC-20, the implementation that `mbt/tests/token.rs`
//! tests against `examples/token.qnt`: holders' balances, allowances an owner grants a
//! spender, transfers and transfers on someone's behalf. It refuses what the spec's
//! `token` module does not allow (spending more than is held, or more than is allowed);
//! the spec's `token_unchecked_allowance` variant allows overspending an allowance, so
//! driving this ledger with that variant finds the difference.

use std::collections::BTreeMap;
use std::fmt;

/// Why the ledger refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    UnknownHolder(String),
    InsufficientBalance { holder: String, balance: i64, amount: i64 },
    InsufficientAllowance { owner: String, spender: String, allowance: i64, amount: i64 },
    NegativeAmount(i64),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::UnknownHolder(h) => write!(f, "unknown holder {h}"),
            TokenError::InsufficientBalance { holder, balance, amount } => write!(f, "{holder} holds {balance}, cannot move {amount}"),
            TokenError::InsufficientAllowance { owner, spender, allowance, amount } => write!(f, "{owner} allows {spender} {allowance}, not {amount}"),
            TokenError::NegativeAmount(a) => write!(f, "negative amount {a}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// The ledger.
#[derive(Debug, Clone)]
pub struct Ledger {
    balances: BTreeMap<String, i64>,
    allowances: BTreeMap<(String, String), i64>,
}

impl Ledger {
    /// `holders`, the first of whom holds the whole `supply`.
    pub fn new(holders: &[&str], supply: i64) -> Ledger {
        let balances = holders.iter().enumerate().map(|(i, h)| (h.to_string(), if i == 0 { supply } else { 0 })).collect();
        let allowances = holders.iter().flat_map(|o| holders.iter().map(move |s| ((o.to_string(), s.to_string()), 0))).collect();
        Ledger { balances, allowances }
    }

    pub fn balances(&self) -> &BTreeMap<String, i64> {
        &self.balances
    }

    pub fn allowances(&self) -> &BTreeMap<(String, String), i64> {
        &self.allowances
    }

    fn balance(&self, holder: &str) -> Result<i64, TokenError> {
        self.balances.get(holder).copied().ok_or_else(|| TokenError::UnknownHolder(holder.to_string()))
    }

    fn check(&self, from: &str, to: &str, amount: i64) -> Result<(), TokenError> {
        if amount < 0 {
            return Err(TokenError::NegativeAmount(amount));
        }
        self.balance(to)?;
        let balance = self.balance(from)?;
        if balance < amount {
            return Err(TokenError::InsufficientBalance { holder: from.to_string(), balance, amount });
        }
        Ok(())
    }

    fn apply(&mut self, from: &str, to: &str, amount: i64) {
        *self.balances.entry(from.to_string()).or_insert(0) -= amount;
        *self.balances.entry(to.to_string()).or_insert(0) += amount;
    }

    pub fn transfer(&mut self, from: &str, to: &str, amount: i64) -> Result<(), TokenError> {
        self.check(from, to, amount)?;
        self.apply(from, to, amount);
        Ok(())
    }

    pub fn approve(&mut self, owner: &str, spender: &str, amount: i64) -> Result<(), TokenError> {
        if amount < 0 {
            return Err(TokenError::NegativeAmount(amount));
        }
        self.balance(owner)?;
        self.balance(spender)?;
        self.allowances.insert((owner.to_string(), spender.to_string()), amount);
        Ok(())
    }

    pub fn transfer_from(&mut self, spender: &str, from: &str, to: &str, amount: i64) -> Result<(), TokenError> {
        self.check(from, to, amount)?;
        let key = (from.to_string(), spender.to_string());
        let allowance = self.allowances.get(&key).copied().unwrap_or(0);
        if allowance < amount {
            return Err(TokenError::InsufficientAllowance { owner: from.to_string(), spender: spender.to_string(), allowance, amount });
        }
        self.apply(from, to, amount);
        self.allowances.insert(key, allowance - amount);
        Ok(())
    }
}
